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
});
