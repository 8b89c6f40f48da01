/**
 * The subscription category of each event the simulator sends (`loginSubscriptionRequest/eventTypes`,
 * L801-972). Events of no category (HASwitchEvent) are always delivered.
 */
const CATEGORY: Readonly<Record<string, string>> = {};
const add = (category: string, names: string[]) => {
  for (const n of names) (CATEGORY as Record<string, string>)[n] = category;
};
add('CallControlFeaturesEvents', [
  'SystemStatusEvent',
  'BridgedEvent',
  'CallClearedEvent',
  'ConferencedEvent',
  'ConnectionClearedEvent',
  'DeliveredEvent',
  'EstablishedEvent',
  'FailedEvent',
  'HeldEvent',
  'OriginatedEvent',
  'QueuedEvent',
  'RetrievedEvent',
  'ServiceInitiatedEvent',
  'TransferedEvent',
  'ConferenceLockedEvent',
  'ConferenceActiveSpeakerEvent',
]);
add('LogicalDeviceFeaturesEvents', [
  'AgentBusyEvent',
  'AgentLoggedOffEvent',
  'AgentLoggedOnEvent',
  'AgentNotReadyEvent',
  'AgentReadyEvent',
  'AgentWorkingAfterCallEvent',
  'DoNotDisturbEvent',
  'ForwardingEvent',
]);
add('PhysicalDeviceFeaturesEvents', ['HookswitchEvent', 'MicrophoneMuteEvent']);
add('DeviceMaintenanceEvents', ['BackInServiceEvent', 'DeviceCapsChangedEvent', 'OutOfServiceEvent']);
add('CallAssociatedFeaturesEvents', ['CallInformationEvent', 'ServiceCompletionFailureEvent']);
add('RecordingServicesEvents', ['ARSRecordCallStartedEvent', 'ARSRecordCallStoppedEvent']);
add('LogoutEvents', ['logoutEvent']);

/**
 * @example
 * categoryOf('DeliveredEvent'); // 'CallControlFeaturesEvents'
 * categoryOf('HASwitchEvent'); // undefined (always delivered)
 */
export function categoryOf(eventName: string): string | undefined {
  return CATEGORY[eventName];
}

/**
 * Whether a session subscribed to `types` gets an event of `category`: an empty list subscribes to
 * everything; ServiceInitiated is also in CallAssociatedFeaturesEvents, CallInformationEvent also in
 * SnapshotServicesCallbackEvents.
 */
export function subscribed(types: ReadonlySet<string>, name: string): boolean {
  const category = categoryOf(name);
  if (category === undefined || types.size === 0 || types.has(category)) return true;
  if (name === 'ServiceInitiatedEvent') return types.has('CallAssociatedFeaturesEvents');
  if (name === 'CallInformationEvent') return types.has('SnapshotServicesCallbackEvents');
  return false;
}
