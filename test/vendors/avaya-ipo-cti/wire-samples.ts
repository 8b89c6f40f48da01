/**
 * The verbatim samples of the protocol digest (§7, IP Office CTI WebServices Programmers' Guide issue
 * 1.0.3), PDF line wraps kept: wrapped hex strings and URLs must still read correctly.
 */

/** S1: login request (L765-787, middle eventTypes elided) */
export const S1 = String.raw`<ns:userLoginRequest xmlns:ns="http://openapi.common.avaya.com/"
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<userName>username</userName>
   <userPassword>password</userPassword>
   <applicationName>appname</applicationName>
    <loginSubscriptionRequest httpMethod="WEBSOCKET" callBackUrl=" ">
 <eventTypes>CapabilityExchangeServicesCallbackEvents</eventTypes>
 <eventTypes>MonitoringServicesCallbackEvents</eventTypes>
 <eventTypes>SnapshotServicesCallbackEvents</eventTypes>
 <eventTypes>CallControlFeaturesEvents</eventTypes>
<!-- L775-784 omitted -->
 <eventTypes>LogoutEvents</eventTypes>
    </loginSubscriptionRequest>
</ns:userLoginRequest>
`;

/** S2: device-user login response (excerpt, L1001-1030) */
export const S2 = String.raw` <clientSessionID>c89c3bd9-9f6f-4e44-87a6-0797eb1fb976</clientSessionID>
 <userName>jdoe</userName>
 <userExtension>1001</userExtension>
 <userSwitchDevice>127.0.0.1</userSwitchDevice>
<!-- L1005-1009 omitted -->
 <userMonitorID>3497757415048302301-127.0.0.1-1001</userMonitorID>
<!-- L1011-1018 omitted -->
 <loginFailureCode>NONE</loginFailureCode>
 <xmppConnectionFailureCode>NONE</xmppConnectionFailureCode>
 <subscriptionUrl>ws://111.111.111.111:8080/</subscriptionUrl>
 <userLicensePackage>PowerUserPackage</userLicensePackage>
<!-- L1023-1028 omitted -->
 <webSocketWsUrl>ws://111.111.111.111:8080/inyama/openapiwebsocket/c89c3
bd9-9f6f-4e44-87a6-0797eb1fb976</webSocketWsUrl>
`;

/** S3: logout event (L1510-1513) */
export const S3 = String.raw`  <ns2:logoutEvent>
    <logoutReason>LOGIN_DIFFERENT_LOCATION</logoutReason>
  </ns2:logoutEvent>
</ns2:Events>
`;

/** S4: OutOfServiceEvent, application-user wrapping (head, L1555-1564) */
export const S4 = String.raw`  <ns2:Event device="1201">
    <ns3:OutOfServiceEvent>
      <ns3:monitorCrossRefID>3bfe063c-0f31-4a8b-a54e-
11ffd34ae108</ns3:monitorCrossRefID>
      <ns3:device>
        <ns3:deviceIdentifier
switchingSubDomainInformationElements="3131312E3131312E3131312E313131"
typeOfNumber="dialingNumber">1201</ns3:deviceIdentifier>
      </ns3:device>
      <ns3:cause>numberUnallocated</ns3:cause>
`;

/** S5: MakeCall with CLI extension (L2196-2224) */
export const S5 = String.raw`  <ns2:callingDevice
switchingSubDomainInformationElements="3134382E3134372E3230362E313830"
typeOfNumber="dialingNumber">201</ns2:callingDevice>
  <ns2:calledDirectoryNumber
typeOfNumber="dialingNumber">202</ns2:calledDirectoryNumber>
  <ns2:autoOriginate>doNotPrompt</ns2:autoOriginate>
  <ns2:correlatorData>
<ns2:string>61356262613163622D623137342D343431642D383931342D31323534363
9343339646535</ns2:string>
  </ns2:correlatorData><ns2:mediaCallCharacteristics>
  <ns2:mediaClass>
    <ns2:voice>true</ns2:voice>
  </ns2:mediaClass>
  </ns2:mediaCallCharacteristics>
  <ns2:subjectOfCall></ns2:subjectOfCall>
<ns2:extensions>
 <ns2:privateData>
  <ns2:private>
   <additionalInfo booleanFlag="true" intValue="0"
stringData="EXTENDEDSERVICES">
    <additionalCallRequestInfo>
     <cliDisplayNumber>ABC123</cliDisplayNumber>
     <withholdCli>true</withholdCli>
    </additionalCallRequestInfo>
   </additionalInfo>
  </ns2:private>
  </ns2:privateData>
</ns2:extensions>
</ns2:MakeCall>
`;

/** S6: ClearConnection dropping a conference participant (L1874-1882) */
export const S6 = String.raw`  <ns3:connectionToBeCleared>
    <ns3:callID>Rj5hgDSrEdimEwDgBwVP9w==</ns3:callID>
   </ns3:connectionToBeCleared>
  <ns3:correlatorData>
<ns3:string>30623366393033362D323465372D343732652D626136612D65343832366
4333965316465</ns3:string>
  </ns3:correlatorData>
  <ns3:reason>conference</ns3:reason>
</ns3:ClearConnection>
`;

/** S7: DeliveredEvent head (L3538-3549) */
export const S7 = String.raw`  <ns2:connection>
    <ns2:callID>a5bba1cb-b174-441d-8914-125469439de5</ns2:callID>
  </ns2:connection>
  <ns2:alertingDevice><ns2:deviceIdentifier
switchingSubDomainInformationElements="3134382E3134372E3230362E313830"
typeOfNumber="dialingNumber">202</ns2:deviceIdentifier></ns2:alertingDevice>
  <ns2:callingDevice><ns2:deviceIdentifier
switchingSubDomainInformationElements="3134382E3134372E3230362E313830"
switchingSubDomainCCIEType="other"
typeOfNumber="dialingNumber">201</ns2:deviceIdentifier></ns2:callingDevice>
  <ns2:calledDevice><ns2:deviceIdentifier
typeOfNumber="dialingNumber">202</ns2:deviceIdentifier></ns2:calledDevice>
`;

/** S8: ConferencedEvent at conference end (head, L3264-3280) */
export const S8 = String.raw`    <ns2:ConferencedEvent>
      <ns2:monitorCrossRefID>70a3438d-c5d8-41e8-beda-
bc7a81ec42ab</ns2:monitorCrossRefID>
      <ns2:primaryOldCall>
        <ns2:callID/>
      </ns2:primaryOldCall>
      <ns2:secondaryOldCall>
        <ns2:callID/>
      </ns2:secondaryOldCall>
      <ns2:conferencingDevice>
        <ns2:deviceIdentifier switchingSubDomainInformationElements=""/>
      </ns2:conferencingDevice>
      <ns2:addedParty>
        <ns2:deviceIdentifier switchingSubDomainInformationElements=""
connectionRate="-1"/>
      </ns2:addedParty>
      <ns2:localConnectionInfo>null</ns2:localConnectionInfo>
`;

/** S9: HASwitchEvent (L8374-8378) */
export const S9 = String.raw` <ns3:HASwitchEvent>
  <primaryServerActive>true</primaryServerActive>
  <activeServer>148.147.216.234</activeServer>
 </ns3:HASwitchEvent>
</ns3:Events>
`;

/** S10: error payload (L8713-8720) */
export const S10 = String.raw`<?xml version="1.0" encoding="UTF-8"?>
<Error>
 <code>XXXXXXXX</code>
 <errorValue>YYYYYYYYYYYYYY< /errorValue >
 <description>…….</description>
</Error>

Please note that <code> is optional.
`;
