/**
 * The namespace URIs of the IP Office CTI WebServices documents (digest §1). Readers match on these
 * URIs, or on local names only; prefixes vary between the vendor's samples.
 */

/** Login, `Events`/`Event`, logout, HA, IM, presence and directory elements. */
export const OPENAPI_NS = 'http://openapi.common.avaya.com/';
/** CSTA requests and events, `ARS*`, `AVM*` and call-log roots. */
export const CSTA_NS = 'http://www.ecma-international.org/standards/ecma-323/csta/ed4';
/** `SetLockRequest` (lockConference). */
export const CONFERENCING_COMMON_NS = 'http://conferencing.common.avaya.com/';
/** Conference lock and active-speaker events. */
export const CONFERENCING_NS = 'http://conferencing.avaya.com/';
/** `DeleteCallLogEntryResponse`. */
export const CALLLOG_NS = 'http://calllog.common.avaya.com/';
/** `xsi:` attributes in the login request. */
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
