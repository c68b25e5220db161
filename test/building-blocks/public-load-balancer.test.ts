import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { AlbAutoScalingGroup, AlbAutoScalingGroupProps, AlbFargateService, LoadBalancedWebTier, MultiAzVpc } from '../../src';
import { newApp, newStack, TEST_ENV } from '../support/app';
import { cloudFormationFindings } from '../support/cfn-validation';
import { errorLines } from '../support/fixtures';
import { COMPLIANT, runNagPacks } from '../support/nag';
import { deployTimeValues } from '../support/tokens';

// The front (src/building-blocks/public-load-balancer.ts) is tested through the two web tiers that
// share it; its other props are covered by their tests. These are its alternativeDomainNames.

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:stable');
const ZONE_ID = 'Z0123456789ABCDEFGHIJ';
const CERT_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const REGIONAL_NAME = 'app-us-east-1.example.com';
const ROUTED_NAME = 'app.example.com';

const zoneOf = (stack: Stack) => route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: ZONE_ID, zoneName: 'example.com' });

describe('PublicLoadBalancer alternativeDomainNames', () => {
  const tiers: Array<[string, (stack: Stack, vpc: ec2.IVpc, zone: route53.IHostedZone, names: string[]) => LoadBalancedWebTier]> = [
    ['AlbAutoScalingGroup', (stack, vpc, hostedZone, alternativeDomainNames) =>
      new AlbAutoScalingGroup(stack, 'Web', { vpc, domainName: REGIONAL_NAME, hostedZone, alternativeDomainNames })],
    ['AlbFargateService', (stack, vpc, hostedZone, alternativeDomainNames) =>
      new AlbFargateService(stack, 'Web', { vpc, image: IMAGE, domainName: REGIONAL_NAME, hostedZone, alternativeDomainNames })],
  ];

  test.each(tiers)('%s: the certificate covers them, each validated by DNS in the hosted zone, and no record is created for them', (_kind, create) => {
    const stack = newStack({ withEnv: true });
    const tier = create(stack, new MultiAzVpc(stack, 'Network').vpc, zoneOf(stack), [ROUTED_NAME, 'www.example.com']);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 1);
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: REGIONAL_NAME,
      SubjectAlternativeNames: [ROUTED_NAME, 'www.example.com'],
      ValidationMethod: 'DNS',
      // ACM validates every name of the certificate: each needs its option with the zone to write
      // the validation record in, or the certificate stays pending and the stack never completes.
      DomainValidationOptions: [
        { DomainName: REGIONAL_NAME, HostedZoneId: ZONE_ID },
        { DomainName: ROUTED_NAME, HostedZoneId: ZONE_ID },
        { DomainName: 'www.example.com', HostedZoneId: ZONE_ID },
      ],
    });
    // One record, the front's own name; the routed name's records are DnsRouting's. It evaluates
    // the load balancer's health, so a DnsRouting record that aliases it fails over when the load
    // balancer has no healthy target.
    const records = Object.values(template.findResources('AWS::Route53::RecordSet'));
    expect(records.map((r) => r.Properties.Name)).toEqual([`${REGIONAL_NAME}.`]);
    expect(records[0].Properties.AliasTarget.EvaluateTargetHealth).toBe(true);
    expect(tier.url).toBe(`https://${REGIONAL_NAME}`);
  });

  test('without them the certificate has no subject alternative names; an empty list is the same', () => {
    for (const names of [undefined, []]) {
      const stack = newStack({ withEnv: true });
      new AlbAutoScalingGroup(stack, 'Web', { vpc: new MultiAzVpc(stack, 'Network').vpc, domainName: REGIONAL_NAME, hostedZone: zoneOf(stack), alternativeDomainNames: names });
      Template.fromStack(stack).hasResourceProperties('AWS::CertificateManager::Certificate', {
        DomainName: REGIONAL_NAME,
        SubjectAlternativeNames: Match.absent(),
        DomainValidationOptions: [{ DomainName: REGIONAL_NAME, HostedZoneId: ZONE_ID }],
      });
    }
  });

  test('no unacknowledged finding in the five cdk-nag packs, and nothing from CloudFormation validation', () => {
    const place = () => {
      const app = newApp();
      const stack = new Stack(app, 'Regional', { env: TEST_ENV });
      new AlbAutoScalingGroup(stack, 'Web', { vpc: new MultiAzVpc(stack, 'Network').vpc, domainName: REGIONAL_NAME, hostedZone: zoneOf(stack), alternativeDomainNames: [ROUTED_NAME] });
      return app;
    };
    expect(runNagPacks(place())).toEqual(COMPLIANT);
    expect(cloudFormationFindings(place())).toEqual([]);
  });

  describe('validation', () => {
    // All cases in one stack over one VPC, never synthesized: each throws at construction.
    const stack = newStack({ withEnv: true });
    const vpc = new MultiAzVpc(stack, 'Network').vpc;
    const hostedZone = zoneOf(stack);
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', CERT_ARN);
    let count = 0;
    const lines = (props: Partial<AlbAutoScalingGroupProps>) => {
      const id = `Web${count++}`;
      return errorLines(() => new AlbAutoScalingGroup(stack, id, { vpc, domainName: REGIONAL_NAME, hostedZone, ...props }));
    };
    const tenNames = Array.from({ length: 10 }, (_, i) => `name${i}.example.com`);

    test.each<[string, Partial<AlbAutoScalingGroupProps>, string]>([
      ['names with a given certificate', { certificate, alternativeDomainNames: [ROUTED_NAME] },
        `alternativeDomainNames is ["${ROUTED_NAME}"]; it must be left unset with certificate: the names a given certificate covers are decided where it is requested (add them there).`],
      ['names without domainName', { domainName: undefined, hostedZone: undefined, allowInsecureHttp: true, alternativeDomainNames: [ROUTED_NAME] },
        `alternativeDomainNames is ["${ROUTED_NAME}"]; it must be left unset without domainName: they are further names of the certificate the front requests for domainName with hostedZone.`],
      ['a name outside the hosted zone', { alternativeDomainNames: ['app.example.org'] },
        "alternativeDomainNames[0] is 'app.example.org'; it must be a name in the hosted zone example.com."],
      ['something that is no host name', { alternativeDomainNames: [ROUTED_NAME, 'app_1.example.com'] },
        "alternativeDomainNames[1] is 'app_1.example.com'; it must be a host name such as www.example.com"],
      ['a name given twice, whatever its case', { alternativeDomainNames: [ROUTED_NAME, 'App.Example.com'] },
        "alternativeDomainNames[1] is 'App.Example.com'; it must be a name given once."],
      ['domainName among them', { alternativeDomainNames: [REGIONAL_NAME.toUpperCase()] },
        `alternativeDomainNames[0] is '${REGIONAL_NAME.toUpperCase()}'; it must be a name other than domainName, which the certificate covers already.`],
      ['10 names, more than ACM takes with domainName', { alternativeDomainNames: tenNames },
        "alternativeDomainNames is '10 names'; it must be at most 9: ACM's default quota is 10 names per certificate, domainName included."],
    ])('refuses %s, naming the prop, the value and what is allowed', (_name, props, line) => {
      const found = lines(props);
      expect(found[0]).toBe(`AlbAutoScalingGroup 'TestStack/Web${count - 1}' has 1 invalid prop:`);
      expect(found[1]).toMatch(new RegExp(`^  - ${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    });

    test('refuses a list known only at deploy time, saying why', () => {
      const t = deployTimeValues(stack);
      expect(lines({ alternativeDomainNames: t.list })).toContain('  - alternativeDomainNames is a token, only known at deploy time; it must be a value known at synth: '
        + 'each name needs a DNS validation option of its own; a name in the list may be a token.');
    });

    test('AlbFargateService refuses them as AlbAutoScalingGroup does: the front validates them', () => {
      expect(errorLines(() => new AlbFargateService(stack, 'Service', { vpc, image: IMAGE, certificate, alternativeDomainNames: [ROUTED_NAME] })))
        .toContain(`  - alternativeDomainNames is ["${ROUTED_NAME}"]; it must be left unset with certificate: the names a given certificate covers are decided where it is requested (add them there).`);
    });

    test('accepts 9 names, a wildcard, and names of any case', () => {
      const nine = [...tenNames.slice(0, 8), '*.Example.com'];
      const stack9 = newStack({ withEnv: true });
      new AlbAutoScalingGroup(stack9, 'Web', { vpc: new MultiAzVpc(stack9, 'Network').vpc, domainName: REGIONAL_NAME, hostedZone: zoneOf(stack9), alternativeDomainNames: nine });
      const certificates = Object.values(Template.fromStack(stack9).findResources('AWS::CertificateManager::Certificate'));
      expect(certificates).toHaveLength(1);
      expect(certificates[0].Properties.SubjectAlternativeNames).toEqual(nine);
    });

    test('accepts a name known only at deploy time: it reaches the certificate and its validation option', () => {
      const stackT = newStack({ withEnv: true });
      const t = deployTimeValues(stackT);
      new AlbAutoScalingGroup(stackT, 'Web', { vpc: new MultiAzVpc(stackT, 'Network').vpc, domainName: REGIONAL_NAME, hostedZone: zoneOf(stackT), alternativeDomainNames: [t.text] });
      Template.fromStack(stackT).hasResourceProperties('AWS::CertificateManager::Certificate', {
        SubjectAlternativeNames: [{ Ref: 'DeployTimeText' }],
        DomainValidationOptions: [{ DomainName: REGIONAL_NAME, HostedZoneId: ZONE_ID }, { DomainName: { Ref: 'DeployTimeText' }, HostedZoneId: ZONE_ID }],
      });
    });
  });
});
