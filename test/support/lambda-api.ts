import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { consumerFunction } from './fixtures';
import { LambdaApiProps } from '../../src/serverless/lambda-api-props';

/**
 * Builds one of the Lambda-backed API patterns (RestApiLambda, HttpApiLambda) as `Notes` in the
 * given stack, with exactly the given props.
 */
export type LambdaApiFactory = (stack: Stack, props: LambdaApiProps) => void;

/**
 * The tests both API patterns share for the alarm thresholds of the function they create
 * (`durationP99Threshold`, `errorsThreshold`, HardenedFunction's props passed through), declared
 * once for both test files.
 *
 * @param newStack a new stack in a new app, in an environment
 * @param create builds the pattern
 * @param code the function's code
 */
export function functionAlarmThresholdTests(newStack: () => Stack, create: LambdaApiFactory, code: LambdaApiProps['code']): void {
  const build = (props: Partial<LambdaApiProps>) => {
    const stack = newStack();
    create(stack, { code, ...props });
    return Template.fromStack(stack);
  };

  describe('function alarm thresholds', () => {
    test('durationP99Threshold and errorsThreshold reach the alarms of the function the pattern creates', () => {
      const template = build({ timeout: Duration.seconds(20), durationP99Threshold: Duration.seconds(12), errorsThreshold: 3 });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Duration',
        ExtendedStatistic: 'p99',
        Threshold: 12000,
        AlarmDescription: 'The function TestStack/Notes/Function takes longer than 12 seconds for 1% of its invocations',
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors', Namespace: 'AWS/Lambda', Threshold: 3, AlarmDescription: 'The function TestStack/Notes/Function failed more than 3 times in 5 minutes',
      });
    });

    test('a p99 duration threshold at or above the created function\'s timeout is refused, naming the timeout', () => {
      expect(() => build({ timeout: Duration.seconds(20), durationP99Threshold: Duration.seconds(20) })).toThrow(
        /^ {2}- durationP99Threshold is 20 seconds; it must be above 0 and below the timeout \(20 seconds\): Lambda stops an invocation at its timeout/m);
      expect(() => build({ errorsThreshold: -1 })).toThrow(/^ {2}- errorsThreshold is -1; it must be a whole number of at least 0\.$/m);
    });

    test('with your own function, they are refused: its alarms are its own', () => {
      const stack = newStack();
      expect(() => create(stack, { handlerFunction: consumerFunction(stack, 'Own'), durationP99Threshold: Duration.seconds(2), errorsThreshold: 1 })).toThrow(
        /durationP99Threshold is 'set'; it must be left unset with handlerFunction \(it configures the function the pattern creates\)\.\n {2}- errorsThreshold is 'set'; it must be left unset with handlerFunction/);
    });
  });
}
