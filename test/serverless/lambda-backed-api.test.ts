import * as lambda from 'aws-cdk-lib/aws-lambda';
import { HttpApiLambda, LambdaBackedApi, RestApiLambda } from '../../src';
import { newStack } from '../support/app';

const code = lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });');

/** A subclass that never creates its function or stage: what a user's own subclass would be. */
class Backendless extends LambdaBackedApi {}

describe('LambdaBackedApi', () => {
  test.each([
    ['RestApiLambda', (scope: ReturnType<typeof newStack>) => new RestApiLambda(scope, 'Api', { code })],
    ['HttpApiLambda', (scope: ReturnType<typeof newStack>) => new HttpApiLambda(scope, 'Api', { code })],
  ] as const)('%s is one, and exposes its function, access log group and URL through it', (_name, create) => {
    const stack = newStack();
    const api: LambdaBackedApi = create(stack);
    expect(api).toBeInstanceOf(LambdaBackedApi);
    // The function is the pattern's HardenedFunction's alias's function, the log group its own child.
    expect(api.accessLogGroup.node.path).toBe('TestStack/Api/AccessLogs');
    expect(api.handlerFunction.node.path).toMatch(/^TestStack\/Api\//);
    expect(stack.resolve(api.url)).toBeDefined();
    expect(typeof api.url).toBe('string');
  });

  test.each(['handlerFunction', 'accessLogGroup'] as const)('reading %s before the function exists throws, naming the API and the property', (property) => {
    const api = new Backendless(newStack(), 'Backendless');
    expect(() => api[property]).toThrow(`TestStack/Backendless: ${property} was read before the API's function existed (only the library's APIs, `
      + 'RestApiLambda and HttpApiLambda, extend LambdaBackedApi: _createBackend is internal)');
  });

  test('reading url before the stage exists throws, naming the API', () => {
    expect(() => new Backendless(newStack(), 'Backendless').url).toThrow("TestStack/Backendless: url was read before the API's stage existed");
  });
});
