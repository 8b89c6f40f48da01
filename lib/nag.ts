/**
 * cdk-nag (AwsSolutions pack) acknowledgements. Every finding the stack keeps on purpose is acknowledged
 * here, on the construct it concerns, with its reason; anything else fails synthesis (lib/app.ts adds the
 * pack to the app, test/cdk/nag.test.ts runs it in `npm test`).
 */
import type { CtiBridgeStack } from './cti-bridge-stack.js';

export function acknowledgeNagFindings(stack: CtiBridgeStack): void {
  void stack;
}
