/**
 * Request limits of the control API, shared by the handlers' middleware (which enforces them) and the
 * OpenAPI document (which states them).
 */

/**
 * The largest request body a route takes (the largest real one, a raw vendor request, is far smaller).
 * Below API Gateway's 10 MB and Lambda's 6 MB payload limits, so the answer is this API's problem.
 */
export const MAX_BODY_BYTES = 1024 * 1024;
