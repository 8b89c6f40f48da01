/**
 * The WebSocket API clients keep open to receive events: `$connect` (channel token in the query string,
 * checked by the handler, so no authorizer), `$disconnect` and `$default` (client messages such as
 * `{"action":"ping"}`, answered through a route response).
 *
 * Created in two steps because the handlers need the stage URL in their environment: the API and stage
 * first, the routes once the functions exist (`addRoutes`).
 */
import { Stack } from 'aws-cdk-lib';
import { WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { WebSocketFunctions } from './functions.js';

export const WEBSOCKET_STAGE = 'live';
export const ROUTE_SELECTION_EXPRESSION = '$request.body.action';

export interface WebSocketEndpointProps {
  throttle: { rateLimit: number; burstLimit: number };
}

export class WebSocketEndpoint extends Construct {
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;

  constructor(scope: Construct, id: string, props: WebSocketEndpointProps) {
    super(scope, id);
    this.api = new WebSocketApi(this, 'Api', {
      apiName: `${Stack.of(this).stackName}-events`,
      description: 'cti-bridge event delivery (WebSocket channels)',
      routeSelectionExpression: ROUTE_SELECTION_EXPRESSION,
    });
    // No access logs here: WebSocket (like REST) stages log through the account-wide API Gateway
    // CloudWatch role, which this stack does not own. Execution errors still reach the handlers' logs.
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: WEBSOCKET_STAGE,
      autoDeploy: true,
      throttle: props.throttle,
    });
  }

  /** `wss://<api>.execute-api.<region>.amazonaws.com/live`: what clients open (BRIDGE_WEBSOCKET_URL). */
  get url(): string {
    return this.stage.url;
  }

  /** `https://.../live`: the endpoint of the API Gateway Management API (post to / close connections). */
  get callbackUrl(): string {
    return this.stage.callbackUrl;
  }

  addRoutes(fns: WebSocketFunctions): void {
    this.api.addRoute('$connect', {
      integration: new WebSocketLambdaIntegration('ConnectIntegration', fns.connect),
    });
    this.api.addRoute('$disconnect', {
      integration: new WebSocketLambdaIntegration('DisconnectIntegration', fns.disconnect),
    });
    // returnResponse: the handler's return value (bridge.pong / bridge.error frames) goes back to the client.
    this.api.addRoute('$default', {
      integration: new WebSocketLambdaIntegration('DefaultIntegration', fns.default),
      returnResponse: true,
    });
  }

  /** `execute-api:ManageConnections` on this stage's `@connections` only. */
  grantManageConnections(grantee: IGrantable): void {
    this.stage.grantManagementApiAccess(grantee);
  }
}
