/**
 * Every XML sample of the BroadWorks CAP interface specification (Release 17.0), in document order,
 * copied byte for byte. The text dump splits samples at page breaks; here the fence lines and blank
 * lines of those breaks are removed and nothing else is changed, so the samples keep the defects the
 * parser must absorb (docs/protocols/broadworks-cap.md, "Damaged samples").
 */
export interface SpecSample {
  /** Line of the sample's first line in the specification text. */
  line: number;
  /** The commandType the sample carries. */
  type: string;
  text: string;
}

export const SPEC_SAMPLES: readonly SpecSample[] = [
  {
    line: 625,
    type: 'registerAuthentication',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="registerAuthentication">\n    <commandData>\n      <user userType="CallClient">\n        <id>joepublic</id>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 641,
    type: 'registerAuthentication',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="registerAuthentication">\n    <commandData>\n      <user userType="CallClient">\n        <id>sales@broadsoft.com</id>\n        <applicationId>supervisor@broadsoft.com</applicationId>\n        <supervisorId>supervisor@broadsoft.com</supervisorId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 679,
    type: 'responseAuthentication',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="responseAuthentication">\n    <commandData>\n      <user userType="CallClient">\n        <id>joepublic</id>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n      <nonce>1051713840192</nonce>\n      <algorithm>MD5</algorithm>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 713,
    type: 'responseAuthentication',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="responseAuthentication">\n    <commandData>\n      <user userType="CallClient">\n        <failure failureCause="NetworkServerConnectivityFailure"/>\n        <id>joepublic</id>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 747,
    type: 'registerRequest',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="registerRequest">\n    <commandData>\n      <user userType="CallClient">\n        <id>joepublic</id>\n      </user>\n      <securePassword>dc70779bf8461b5a1e6aea58f636d5c0</securePassword>\n      <applicationId>broadSoftExample</applicationId>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 785,
    type: 'registerResponse',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="registerResponse">\n    <commandData>\n      <user userType="CallClient" userId="169729071">\n        <id>joepublic</id>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 814,
    type: 'registerResponse',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="registerResponse">\n    <commandData>\n      <user userType="AttendantConsole" userId="108215935">\n        <id>janedoe</id>\n        <applicationId>broadSoftExample</applicationId>\n        <numMonitoredUsers>50</numMonitoredUsers >\n        <callDetailsEnabled>True</callDetailsEnabled>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 847,
    type: 'registerResponse',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="registerResponse">\n    <commandData>\n      <user userType="AttendantConsole">\n        <failure failureCause="UnauthorizedAttendantConsole"/>\n        <id>joepublic</id>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 887,
    type: 'acknowledgement',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="acknowledgement">\n    <commandData>\n      <user userType="CallClient" userId="108215935" id="joe">\n        <message messageName="registerResponse"/>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 921,
    type: 'unRegister',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="unRegister">\n    <commandData>\n      <user userLogoutReason="ClientLogout" userType="CallClient"\n        id="joe@abc.com">\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 971,
    type: 'sessionUpdate',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="sessionUpdate">\n    <commandData>\n      <user id="joe@abc.com" userType="CallClient" userUId="139557133">\n        <offHook>True</offHook>\n        <numCalls>2</numCalls>\n        <maxCalls>-1</maxCalls>\n        <epControl>True</epControl>\n        <conference conferenceState="Active">\n          <callIn callInId="09289589"/>\n          <callIn callInId="09289000"/>\n        </conference>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 1006,
    type: 'sessionUpdate',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="sessionUpdate">\n    <commandData>\n      <user id="joe@abc.com" userType="CallClient" userUid="139557133">\n        <conference conferenceState="Held">\n          </conference>\n          <applicationId>broadSoftExample</applicationId>\n        </user>\n      </commandData>\n    </command>\n  </BroadsoftDocument>',
  },
  {
    line: 1025,
    type: 'sessionUpdate',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="sessionUpdate">\n    <commandData>\n      <user id="joe@abc.com" userType="CallClient" userUid="139557133">\n        <conference conferenceState="Held">\n          </conference>\n          <applicationId></applicationId>\n        </user>\n      </commandData>\n    </command>\n  </BroadsoftDocument>',
  },
  {
    line: 1060,
    type: 'sessionUpdate',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="sessionUpdate">\n    <commandData>\n      <user id="ac@abc.com" userType="AttendantConsole"\n        userId="141466199">\n        <monitoredUserId>169729071</monitoredUserId>\n        <monitoredUserId>mary@abc.com</monitoredUserId>\n        <offHook>False</offHook>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 1145,
    type: 'profileUpdate',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="profileUpdate">\n    <commandData>\n      <user id="joe@abc.com" userUid="139557133" userType="CallClient">\n        <initialUpdate/>\n        <firstName>John</firstName>\n        <lastName>Doe</lastName>\n        <phone>3015551000</phone>\n        <extension>1000</extension>\n        <locationCode>7</locationCode>\n        <countryCode>1</countryCode>\n        <nationalPrefix/>\n        <enterpriseUser>On</enterpriseUser>\n        <email>john.doe@initech.com</email>\n        <groupName>AGroup</groupName>\n        <serviceName>MySP</serviceName>\n        <supportEmail>support@initech.com</supportEmail>\n        <threeWayCall/>\n        <nWayCall>On</nWayCall>\n        <callTransfer>On</callTransfer>\n        <cfa>Off</cfa>\n        <cpe>Available: In Office</cpe>\n        <cwt>On</cwt>\n        <dnd>Off</dnd>\n        <lnr>On</lnr>\n        <oi/>\n        <ro>Off</ro>\n        <simring/>\n        <li>On</li>\n        <voiceMessaging/>\n        <voiceMessagingGroup/>\n        <thirdPartyVoiceMessaging>On</thirdPartyVoiceMessaging>\n        <thirdPartyVMGroup>On</thirdPartyVMGroup>\n        <hasVMessages>True</hasVMessages>\n        <hasThirdPartyVMessages>False</hasThirdPartyVMessages>\n        <callLogs>On</callLogs>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 1223,
    type: 'profileUpdate',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="profileUpdate">\n    <commandData>\n      <user id="joe@abc.com" userUid="139557133" userType="CallClient">\n        <cpe>Unavailable</cpe>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 1244,
    type: 'profileUpdate',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="profileUpdate">\n    <commandData>\n      <user id="agent@agc.com" userType="CallClient" userUid="101567640">\n        <acdState>WrapUp</acdState>\n        <acdStateTime>1235684031000</acdStateTime>\n        <wrapUpCallCenterCallId>localhost:30</wrapUpCallCenterCallId>\n        <hotelingHost/>\n        <unavailabilityCode>lunch</unavailabilityCode>\n        <applicationId>BroadWorks Supervisor</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 1297,
    type: 'profileUpdate',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="profileUpdate">\n    <commandData>\n      <user id="ac@abc.com" userUid="141466199"\n        userType="AttendantConsole">\n        <initialUpdate/>\n        <monitoredUserUid>147184435</monitoredUserUid>\n        <monitoredUserId>john@abc.com</monitoredUserId>\n        <firstName>John</firstName>\n        <lastName>Doe</lastName>\n        <phone>3015551000</phone>\n        <extension>1000</extension>\n        <locationCode>7</locationCode>\n        <countryCode>1</countryCode>\n        <nationalPrefix/>\n        <mobile>3012221098</mobile>\n        <pager>3012221098</pager>\n        <email>john.doe@initech.com</email>\n        <voiceMessaging>Off</voiceMessaging>\n        <department>Support</department>\n        <title>Engineer</title>\n        <voiceMessaging>Off</voiceMessaging>\n        <voiceMessagingGroup/>\n        <thirdPartyVoiceMessaging>On</thirdPartyVoiceMessaging>\n        <thirdPartyVMGroup>On</thirdPartyVMGroup>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 1360,
    type: 'profileUpdate',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="profileUpdate">\n    <commandData>\n<user id="ac@abc.com" userUid="141466199"\n  userType="AttendantConsole">\n  <dnd>Off</dnd>\n  <monitoredUserId>147184435</monitoredUserId>\n  <monitoredUserId>john@abc.com</monitoredUserId>\n  <applicationId>broadSoftExample</applicationId>\n</user>\n</commandData>\n</command>\n</BroadsoftDocument>',
  },
  {
    line: 1385,
    type: 'profileUpdate',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="profileUpdate">\n    <commandData>\n      <user id="ac@abc.com" userUid="141466199"\n        userType="AttendantConsole">\n        <cfa cfaDestination="3015551000">On</cfa>\n        <monitoredUserId>147184435</monitoredUserId>\n        <monitoredUserId>john@abc.com</monitoredUserId>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 1468,
    type: 'callUpdate',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callUpdate">\n    <commandData>\n      <user id="joe@abc.com" userType="CallClient" userUId="141466199">\n        <call callId="localhost220335:0" extTrackingId="102:1">\n          <appearance>1</appearance>\n          <personality>0</personality>\n          <state>1</state>\n          <releaseCause>0</releaseCause>\n          <remoteCountryCode>1</remoteCountryCode>\n          <remoteNumber>3015554000</remoteNumber>\n          <remoteName></remoteName>\n          <remoteTelUri>tel:+13015554000;ext=4000</remoteTelUri>\n          <localAltType>0</localAltType>\n          <linePort>2403649001@192.168.1.76</linePort>\n          <redirectFromCountryCode>1</redirectFromCountryCode>\n          <redirectFromNumber>3015554000</redirectFromNumber>\n          <redirectFromName></redirectFromName>\n          <redirectFromReason>do-not-disturb</redirectFromReason>\n          <callStartTime>1235684031000</callStartTime>\n        </call>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 1500,
    type: 'callUpdate',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callUpdate">\n    <commandData>\n      <user id="north00@mtlasdev84.net" userType="CallClient">\n    userId="101567640">\n      <call callId="localhost2615:0" extTrackingId="17:1">\n        <appearance>-1</appearance>\n        <personality>1</personality>\n        <state>5</state>\n        <releaseCause>0</releaseCause>\n        <remoteCountryCode>1</remoteCountryCode>\n        <remoteNumber>603</remoteNumber>\n        <remoteName/>\n        <localAltType>0</localAltType>\n        <callType>2</callType>\n        <callStartTime>1235684031000</callStartTime>\n        <callAnswerTime>1235684062235</callAnswerTime>\n        <callCenterUserId>sales_cc@broadsoft.com</callCenterUserId>\n        <callCenter id="sales_cc@broadsoft.com">\n          <DNISName>Sales Call Center</DNISName>\n          <DNISNumber>7034556766</localAltType>\n          <callWaitTime>2000</callWaitTime >\n          <longestWaitTime>60000</longestWaitTime>\n          <numCallsInQueue>4</numCallsInQueue>\n        </callCenter>\n        <holdReminder/>\n      </call>\n      <applicationId>BroadWorks Supervisor</applicationId>\n    </user>\n  </commandData>\n</command>\n</BroadsoftDocument>',
  },
  {
    line: 1544,
    type: 'callUpdate',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callUpdate">\n    <commandData>\n      <user userType="CallClient" userId="141466199">\n        <call callId="localhost220352:0" extTrackingId="102:1">\n          <appearance>1</appearance>\n          <personality>1</personality>\n          <state>5</state>\n          <releaseCause>0</releaseCause>\n          <remoteCountryCode>1</remoteCountryCode>\n          <remoteNumber>3015554000</remoteNumber>\n          <remoteName>Jane Doe</remoteName>\n          <remoteTelUri>tel:+13015554000</remoteTelUri>\n          <localAltType>0</localAltType>\n          <callStartTime>1235684031000</callStartTime>\n          <callAnswerTime>1235684038934</callAnswerTime>\n        </call>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 1574,
    type: 'callUpdate',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n<command commandType="callUpdate">\n  <commandData>\n    <user id="joe@abc.com" userType="CallClient" userUid="141466199">\n      <call callId="localhost220335:0" extTrackingId="102:1">\n        <appearance>1</appearance>\n        <personality>0</personality>\n        <state>6</state>\n        <releaseCause>0</releaseCause>\n        <remoteCountryCode>1</remoteCountryCode>\n        <remoteNumber>3015554000</remoteNumber>\n        <remoteName></remoteName>\n        <localAltType>0</localAltType>\n        <localNumber>2405551000</localNumber>\n        <redirectToNumber>3016661234</redirectToNumber>\n        <redirectToReason>user-busy</redirectToReason>\n        <callStartTime>1235684031000</callStartTime>\n        <callAnswerTime>1235684038934</callAnswerTime>\n      </call>\n      applicationId</applicationId>\n    </user>\n  </commandData>\n</command>\n</BroadsoftDocument>',
  },
  {
    line: 1643,
    type: 'callUpdate',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callUpdate">\n    <commandData>\n      <user id="ac@abc.com" userType="AttendantConsole"\n        userId="142192203">\n        <monitoredUserId>139537371</monitoredUserId>\n        <monitoredUserId>joe@abc.com</monitoredUserId>\n        <call callId="localhost221957:0" extTrackingId="154:1">\n          <state>2</state>\n          <remoteNumber>2403645132</remoteNumber>\n        </call>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 1807,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n    <commandData>\n      <user userType="CallClient" id="joe@abc.com">\n        <action actionType="Dial">\n          <actionParam\n            actionParamName="Number">3015554000</actionParam>\n          </action>\n          <applicationId>broadSoftExample</applicationId>\n        </user>\n      </commandData>\n    </command>\n  </BroadsoftDocument>',
  },
  {
    line: 1826,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n    <commandData>\n      <user userType="CallClient" id="joe@abc.com">\n        <action actionType="Redial"/>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 1842,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n    <commandData>\n      <user userType="CallClient" id="joe@abc.com">\n        <action actionType="Hold">\n          <actionParam\n            actionParamName="CallId">localhost220431:0</actionParam>\n          </action>\n          <applicationId>broadSoftExample</applicationId>\n        </user>\n      </commandData>\n    </command>\n  </BroadsoftDocument>',
  },
  {
    line: 1861,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n<commandData>\n  <user userType="CallClient" id="joe@abc.com">\n    <action actionType="Release">\n      <actionParam\n        actionParamName="CallId">localhost220391:1</actionParam>\n      </action>\n    <applicationId>broadSoftExample</applicationId>\n  </user>\n</commandData>\n</command>\n</BroadsoftDocument>',
  },
  {
    line: 1886,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n    <commandData>\n      <user userType="CallClient" id="joe@abc.com">\n        <action actionType="Answer">\n          <actionParam\n            actionParamName="CallId">localhost220562:0</actionParam>\n          </action>\n          <applicationId>broadSoftExample</applicationId>\n        </user>\n      </commandData>\n    </command>\n  </BroadsoftDocument>',
  },
  {
    line: 1907,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n    <commandData>\n      <user userType="CallClient" id="joe@abc.com">\n        <action actionType="Xfer">\n          <actionParam\n            actionParamName="CallId">localhost220741:0</actionParam>\n          <actionParam\n            actionParamName="Number">3015552000</actionParam>\n          </action>\n          <applicationId>broadSoftExample</applicationId>\n        </user>\n      </commandData>\n    </command>\n  </BroadsoftDocument>',
  },
  {
    line: 1930,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n    <commandData>\n      <user userType="CallClient" id="joe@abc.com">\n        <action actionType="XferCC">\n          <actionParam\n            actionParamName="CallId">localhost220741:0</actionParam>\n        <actionParam\n          actionParamName="Number">3015552000</actionParam>\n      </action>\n    </applicationId>broadSoftExample</applicationId>\n  </user>\n</commandData>\n</command>\n</BroadsoftDocument>',
  },
  {
    line: 1958,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n    <commandData>\n      <user userType="CallClient" id="joe@abc.com">\n        <action actionType="XferConsult">\n          <actionParam\n            actionParamName="CallId">localhost220391:0</actionParam>\n          <actionParam\n            actionParamName="CallId">localhost220562:0</actionParam>\n        </action>\n      </applicationId>broadSoftExample</applicationId>\n    </user>\n  </commandData>\n</command>\n</BroadsoftDocument>',
  },
  {
    line: 1981,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n    <commandData>\n      <user userType="CallClient" id="joe@abc.com">\n        <action actionType="XferVM">\n          <actionParam\n            actionParamName="CallId">localhost220562:0</actionParam>\n          <actionParam actionParamName="Number">8985</actionParam>\n        </action>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2002,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n    <commandData>\n      <user userType="CallClient" id="joe@abc.com">\n        <action actionType="ConfStart">\n          <actionParam\n            actionParamName="CallId">localhost220391:0</actionParam>\n          <actionParam\n            actionParamName="CallId">localhost220431:0</actionParam>\n        </action>\n      </applicationId>broadSoftExample</applicationId>\n    </user>\n  </commandData>\n</command>\n</BroadsoftDocument>',
  },
  {
    line: 2031,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n    <commandData>\n      <user userType="CallClient" id="joe@abc.com">\n        <action actionType="ConfHold"/>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2047,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n    <commandData>\n      <user userType="CallClient" id="joe@abc.com">\n        <action actionType="ConfAnswer"/>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2063,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n    <commandData>\n      <user userType="CallClient" id="joe@abc.com">\n        <action actionType="ConfRelease"/>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2079,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n    <commandData>\n      <user userType="CallClient" id="joe@abc.com">\n        <action actionType="ConfAdd">\n          <actionParam\n            actionParamName="CallId">localhost220431:0</actionParam>\n        </action>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2107,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n    <commandData>\n      <user userType="CallClient" id="u1">\n        <action actionType="CallPark">\n          <actionParam\nactionParamName="CallId">localhost6:0</actionParam>\n          <actionParam actionParamName="Number">9002</actionParam>\n        </action>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2127,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n    <commandData>\n      <user userType="CallClient" id="u1">\n        <action actionType="CallPark">\n          <actionParam\nactionParamName="CallId">localhost6:0</actionParam>\n          <actionParam actionParamName="UserId">u2</actionParam>\n        </action>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2147,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n    <commandData>\n      <user userType="CallClient" id="u1">\n        <action actionType="GroupCallPark">\n          <actionParam\nactionParamName="CallId">localhost6:0</actionParam>\n        </action>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2166,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n    <commandData>\n      <user userType="CallClient" id="u1">\n        <action actionType="CallParkRetrieve">\n          <actionParam actionParamName="Number">9002</actionParam>\n        </action>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2184,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n    <commandData>\n      <user userType="CallClient" id="u1">\n        <action actionType="CallParkRetrieve">\n          <actionParam actionParamName="UserId">u2</actionParam>\n        </action>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2202,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n    <commandData>\n      <user userType="CallClient" id="agentid@broadsoft.com">\n        <action actionType="MakeCallAsCC">\n          <actionParam\n            actionParamName="Number">3015554000</actionParam>\n          <actionParam\n            actionParamName="DNISNumber">2403641000</actionParam>\n        </action>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2223,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n    <commandData>\n      <user userType="CallClient" id="agentid@broadsoft.com">\n<action actionType="MakePersonalCall">\n  <actionParam\n    actionParamName="Number">3015554000</actionParam>\n</action>\n<applicationId>broadSoftExample</applicationId>\n</user>\n</commandData>\n</command>\n</BroadsoftDocument>',
  },
  {
    line: 2245,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n    <commandData>\n      <user userType="CallClient" id="agentid@broadsoft.com">\n        <action actionType="MakeAgentEscalationCall">\n          <actionParam\n            actionParamName="Number">3015554000</actionParam>\n        </action>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2264,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n    <commandData>\n      <user userType="CallClient" id="agentid@broadsoft.com">\n        <action actionType="MakeAgentEmergencyCall">\n          <actionParam\n            actionParamName="Number">3015554000</actionParam>\n          <actionParam\n            actionParamName="CallId">localhost220741:0</actionParam>\n        </action>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2285,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n    <commandData>\n      <user userType="CallClient" id="supervisorid@broadsoft.com">\n        <action actionType="SilentMonitorCall">\n          <actionParam\n            actionParamName="Number">3013334322</actionParam>\n        </action>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2311,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n    <commandData>\n      <user userType="CallClient" id="supervisorid@broadsoft.com">\n        <action actionType="ConferenceUnmute"/>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2327,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n    <commandData>\n      <user userType="CallClient" id="agentid@broadsoft.com">\n        <action actionType="TagCallWithDispositionCode"\nresponseRequested="True" id="1">\n          <actionParam\n            actionParamName="CallId">localhost220741:0</actionParam>\n          <actionParam\n            actionParamName="DispositionCode">promotionA</actionParam>\n        </action>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2349,
    type: 'callAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callAction">\n    <commandData>\n      <user userType="CallClient" id="agentid@broadsoft.com">\n        <action actionType="CustOriginatedTraceCall"\nresponseRequested="True">\n          <actionParam\n            actionParamName="CallId">localhost220741:0</actionParam>\n        </action>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n</command>\n</BroadsoftDocument>',
  },
  {
    line: 2397,
    type: 'callActionResponse',
    text: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callActionResponse">\n<commandData>\n  <user userType="CallClient" userId="2343444398">\n    <id>agentid@broadsoft.com</id>\n    <action actionType="TagCallWithDispositionCode" id="1">\n      <result success="True"/>\n    </action>\n    <applicationId>broadsoftExample</applicationId>\n  </user>\n</commandData>\n</command>\n</BroadsoftDocument>',
  },
  {
    line: 2423,
    type: 'callActionResponse',
    text: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callActionResponse">\n    <commandData>\n      <user userType="CallClient" userId="2343444398">\n        <id>agentid@broadsoft.com</id>\n        <action actionType="TagCallWithDispositionCode" id="1">\n          <result success="False">\n            <message>Invalid disposition code</message>\n          </result>\n        </action>\n        <applicationId>broadsoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2469,
    type: 'callControlInfo',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="callControlInfo">\n    <commandData>\n      <user id="joe@abc.com" userType="CallClient" userUId="141466199">\n        <call callId="localhost220335:0" extTrackingId="102:1">\n          <control controlType="Answer">True</control>\n          <control controlType="Hold">True</control>\n          <control controlType="Retrieve">False</control>\n        </call>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2512,
    type: 'externalNotify',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="externalNotify">\n    <commandData>\n      <user userType="CallClient" id="joe@abc.com">\n        <thirdPartyMWI>off</thirdPartyMWI>\n        <clearVMMWI></clearVMMWI>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2543,
    type: 'infoRequest',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="infoRequest">\n    <commandData>\n      <capVersionRequest/>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2569,
    type: 'infoResponse',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="infoResponse">\n    <commandData>\n      <capVersionResponse>17.0</capVersionResponse>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2602,
    type: 'serverStatusRequest',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="serverStatusRequest">\n    <commandData>\n      <user userType="CallClient" userId="141466199">\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2617,
    type: 'serverStatusRequest',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="serverStatusRequest">\n    <commandData/>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2648,
    type: 'monitoringUsersRequest',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="monitoringUsersRequest">\n    <commandData>\n      <user userType="AttendantConsole" id="bill@telcom.com">\n        <monitoring monType="Add"/>\n        <monUser>joepublic</monUser>\n        <monUser>bob@telcom.com</monUser>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2688,
    type: 'monitoringUsersResponse',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="monitoringUsersResponse">\n    <commandData>\n      <user id="ac@abc.com" userType="AttendantConsole"\n        userUId="139557133">\n        <monResult success="True"/>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2705,
    type: 'monitoringUsersResponse',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="monitoringUsersResponse">\n    <commandData>\n      <user id="ac@abc.com" userType="AttendantConsole"\n        userUId="139557133">\n        <monResult success="False"/>\n        <failedUser failureReason="UnauthorizedUser"\n          id="bob@telcom.com"/>\n        <applicationId>broadSoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2766,
    type: 'queueUpdate',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="queueUpdate">\n    <commandData>\n      <user id="cc@abc.com" userType="CallClient" userId="141466199">\n        <applicationId>supervisor</applicationId>\n      </user>\n      <queue updateReason="Initial">\n        <queueCall callId="localhost220335:0">\n          <remoteCountryCode>1</remoteCountryCode>\n          <remoteNumber>3015554000</remoteNumber>\n          <remoteName></remoteName>\n          <timeAdded>435345345345</timeAdded>\n          <mandatoryEntrance>Not Playing</mandatoryEntrance>\n        </queueCall>\n      </queue>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2815,
    type: 'queueUpdate',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="queueUpdate">\n    <commandData>\n      <user id="cc@abc.com" userType="CallClient" userId="141466199">\n        </user>\n      <queue updateReason="CallAbandoned">\n        <queueCall callId="localhost3234:0 />\n      </queue>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2834,
    type: 'queueUpdate',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="queueUpdate">\n    <commandData>\n      <user id="cc@abc.com" userType="CallClient" userId="141466199">\n        <applicationId>supervisor</applicationId>\n      </user>\n      <queue updateReason="CallTransferred">\n        <queueCall callId="localhost3234:0 />\n      </queue>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2854,
    type: 'queueUpdate',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="queueUpdate">\n    <commandData>\n      <user id="cc@abc.com" userType="CallClient" userId="141466199">\n        <applicationId>supervisor</applicationId>\n</user>\n<queue updateReason="CallAdded">\n<queueCall callId="localhost3234:0">\n  <position>1</position>\n</queueCall>\n</queue>\n</commandData>\n</command>\n</BroadsoftDocument>',
  },
  {
    line: 2908,
    type: 'queueAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="queueAction">\n    <commandData>\n      <user userType="CallClient" id="joe@abc.com">\n        <applicationId>supervisor</applicationId>\n      </user>\n      <queueActionData actionType="Reorder">\n        <queueCall callId="localhost233:0">\n          <position>2</position>\n        </queueCall>\n      </queueActionData>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2928,
    type: 'queueAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="queueAction">\n    <commandData>\n      <user userType="CallClient" id="joe@abc.com">\n        <applicationId>supervisor</applicationId>\n      </user>\n      <queueActionData actionType="Transfer">\n        <queueCall callId="localhost233:0">\n          <destination>3013334232</destination>\n        </queueCall>\n      </queueActionData>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2948,
    type: 'queueAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="queueAction">\n    <commandData>\n      <user userType="CallClient" id="joe@abc.com">\n        <applicationId>supervisor</applicationId>\n      </user>\n      <applicationId>supervisor</applicationId>\n      <queueActionData actionType="Refresh" />\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 2965,
    type: 'queueAction',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="queueAction">\n    <commandData>\n      <user userType="CallClient" id="supervisor@broadsoft.com">\n        <applicationId>supervisor</applicationId>\n      </user>\n      <queueActionData actionType="Promote">\n        <queueCall callId="localhost233:0">\n          <priority>0</priority>\n        </queueCall>\n      </queueActionData>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 3008,
    type: 'queueProfileUpdate',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="queueProfileUpdate">\n    <commandData>\n      <user id="callcenter1@mtlasdev84.net" userType="CallClient"\n        userUid="164007290">\n        <initialUpdate/>\n        <nightService>Off</nightService>\n        <holidayService>On</holidayService>\n        <forcedForwarding>Off</forcedForwarding>\n        <applicationId>BroadWorks Supervisor</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 3037,
    type: 'queueProfileUpdate',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="queueProfileUpdate">\n    <commandData>\n      <user id="callcenter1@mtlasdev84.net" userType="CallClient"\n        userId="164007290">\n        <nightService>Manual</nightService>\n        <holidayService>On</holidayService>\n        <forcedForwarding>Off</forcedForwarding>\n        <applicationId>BroadWorks Supervisor</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 3074,
    type: 'queueInfoRequest',
    text: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="queueInfoRequest">\n    <commandData>\n      <user userType="CallClient">\n        <id>agentid@broadsoft.com</id>\n        <applicationId>broadsoftExample</applicationId>\n      </user>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
  {
    line: 3110,
    type: 'queueInfoResponse',
    text: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="queueInfoResponse">\n<commandData>\n  <user userType="CallClient">\n    <id>agentid@broadsoft.com</id>\n    <callcenter id="sales@broadsoft.com">\n      <numCallsInQueue>2</ numCallsInQueue >\n    </callcenter>\n    <callcenter id="support@broadsoft.com">\n      < numCallsInQueue >3</ numCallsInQueue >\n    </callcenter>\n    <applicationId>broadsoftExample</applicationId>\n  </user>\n</commandData>\n</command>\n</BroadsoftDocument>',
  },
  {
    line: 3162,
    type: 'datagram',
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<BroadsoftDocument protocol="CAP" version="17.0">\n  <command commandType="datagram">\n    <commandData>\n      <from>\n        <user userType="CallClient" id="agent1@broadsoft.com">\n          <applicationId>CallCenterAgent</applicationId>\n        </user>\n      </from>\n      <to>\n        <user userType="CallClient" id="agent2@broadsoft.com">\n          <applicationId>CallCenterAgent</applicationId>\n        </user>\n      </to>\n      <payload payloadType="text/plain" >Hello</payload>\n    </commandData>\n  </command>\n</BroadsoftDocument>',
  },
];

/**
 * The tail of the initial queueUpdate sample (L2789-2805), which the page break cut from its head: a
 * queueCall whose callId quote is never closed (`callId="localhost3435:0 >`).
 */
export const QUEUE_TAIL_L2789 =
  '        <bouncedCall>False</bouncedCall>\n        <reorderedCall>False</reorderedCall>\n        <preservedWaitTime>86234</preservedWaitTime>\n    </queueCall>\n    <queueCall callId="localhost3435:0 >\n        <remoteCountryCode>1</remoteCountryCode>\n        <remoteNumber>3015554000</remoteNumber>\n        <remoteName></remoteName>\n        <timeAdded>234234234</timeAdded>\n        <mandatoryEntrance>Not Playing</mandatoryEntrance>\n        <bouncedCall>False</bouncedCall>\n        <reorderedCall>False</reorderedCall>\n        <preservedWaitTime>8299</preservedWaitTime>\n    </queueCall>\n</queue>\n</commandData>\n</command>';

export function sample(line: number): string {
  const s = SPEC_SAMPLES.find((x) => x.line === line);
  if (!s) throw new Error(`no sample at line ${line}`);
  return s.text;
}
