import { Template } from 'aws-cdk-lib/assertions';

/** The statements of every IAM policy, inline or managed, of a template, as JSON. */
export const policyStatements = (template: Template): string[] => [
  ...Object.values(template.findResources('AWS::IAM::Policy')), ...Object.values(template.findResources('AWS::IAM::ManagedPolicy')),
].flatMap((p) => p.Properties.PolicyDocument.Statement as unknown[]).map((st) => JSON.stringify(st));
