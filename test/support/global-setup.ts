/**
 * One DynamoDB Local for the whole test run (and the console page built once). Tests isolate themselves by table name (one table per
 * stack) and reach it through `inject('dynamoEndpoint')`.
 */
import type { TestProject } from 'vitest/node';
import { ensureConsoleBuilt } from '../../local/console-build.js';
import { startDynamoDbLocal } from '../../local/dynamodb.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  // Built once before any file runs: `npm start` children and the console test then find it up to date
  // instead of building it at the same time (Vite empties its output directory first).
  await ensureConsoleBuilt();
  const dynamo = await startDynamoDbLocal({ dataDir: null });
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return async () => {
    await dynamo.stop();
  };
}
