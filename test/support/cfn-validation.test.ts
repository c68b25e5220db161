import { CfnResource, Stack } from 'aws-cdk-lib';
import { newApp } from './app';
import { cloudFormationFindings } from './cfn-validation';

// The template-validity test of every pattern rests on this helper seeing real errors.
describe('cloudFormationFindings', () => {
  test('reports a property CloudFormation does not know', () => {
    const app = newApp();
    new CfnResource(new Stack(app, 'Bad'), 'Queue', { type: 'AWS::SQS::Queue', properties: { NoSuchProperty: 1 } });
    expect(cloudFormationFindings(app)).toEqual([expect.stringMatching(/NoSuchProperty.*at Bad\/Queue/s)]);
  });

  test('reports nothing for a valid template', () => {
    const app = newApp();
    new CfnResource(new Stack(app, 'Good'), 'Queue', { type: 'AWS::SQS::Queue', properties: { VisibilityTimeout: 30 } });
    expect(cloudFormationFindings(app)).toEqual([]);
  });

  test("uses the jest worker's plugin, so its engine starts once per worker rather than once per test file", () => {
    const shared = (globalThis as Record<symbol, unknown>)[Symbol.for('cdk-best-practice-patterns.test.CloudFormationValidatePlugin')];
    expect(typeof shared).toBe('function');
    const plugin = (shared as () => unknown)();
    expect(plugin).toBe((shared as () => unknown)());
    expect((plugin as { name: string }).name).toBe('CloudFormation Validate');
  });
});
