import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { AlbAutoScalingGroup, AlbFargateService, DeploymentStage, LoadBalancedWebTier, MultiAzVpc, PublicLoadBalancerProps } from '../../src';
import { PublicLoadBalancer } from '../../src/building-blocks/public-load-balancer';
import { PatternPrelude } from '../../src/core/pattern-prelude';
import { newStack } from '../support/app';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:stable');
const GETTERS = ['loadBalancer', 'listener', 'targetGroup', 'loadBalancerSecurityGroup', 'accessLogsBucket', 'webAcl', 'certificate', 'url'] as const;

/** A tier that never creates its front. */
class Frontless extends LoadBalancedWebTier {}

/** A tier that reads its URL before it creates its front. */
class ReadsTooEarly extends LoadBalancedWebTier {
  public readonly earlyUrl: string;

  constructor(scope: Construct, id: string, props: PublicLoadBalancerProps) {
    super(scope, id);
    const prelude = PatternPrelude.start(this, 'ReadsTooEarly', props);
    this.earlyUrl = this.url;
    this._createFront(prelude, ['0.0.0.0/0']);
  }
}

/** A tier with a front and no targets yet. */
class Targetless extends LoadBalancedWebTier {
  public readonly createdFront: PublicLoadBalancer;

  constructor(scope: Construct, id: string, props: PublicLoadBalancerProps) {
    super(scope, id);
    this.createdFront = this._createFront(PatternPrelude.start(this, 'Targetless', props), ['0.0.0.0/0']);
  }
}

describe('LoadBalancedWebTier', () => {
  // Both tiers in one stack, not synthesized. With a domain in PROD, the front requests a
  // certificate and creates a web ACL; in DEV with plain HTTP it creates neither.
  const stack = newStack({ withEnv: true });
  const vpc = new MultiAzVpc(stack, 'Network').vpc;
  const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
  const tiers: Array<[string, LoadBalancedWebTier, string]> = [
    ['AlbAutoScalingGroup', new AlbAutoScalingGroup(stack, 'Web', { vpc, domainName: 'www.example.com', hostedZone }), 'https://www.example.com'],
    ['AlbFargateService', new AlbFargateService(stack, 'Service', { vpc, image: IMAGE, domainName: 'app.example.com', hostedZone }), 'https://app.example.com'],
  ];

  test.each(tiers)("%s is a LoadBalancedWebTier whose properties are its front's", (_kind, tier, url) => {
    expect(tier).toBeInstanceOf(LoadBalancedWebTier);
    const front = tier.node.findChild('Default') as PublicLoadBalancer;
    expect(front).toBeInstanceOf(PublicLoadBalancer);
    expect(tier.loadBalancer).toBe(front.loadBalancer);
    expect(tier.listener).toBe(front.listener);
    expect(tier.loadBalancerSecurityGroup).toBe(front.securityGroup);
    expect(tier.accessLogsBucket).toBe(front.accessLogsBucket);
    expect(tier.webAcl).toBeDefined();
    expect(tier.webAcl).toBe(front.webAcl);
    expect(tier.certificate).toBeDefined();
    expect(tier.certificate).toBe(front.certificate);
    expect(tier.url).toBe(url);
    expect(tier.url).toBe(front.url);
    // The target group is the one the listener forwards to.
    expect(tier.targetGroup).toBeInstanceOf(elbv2.ApplicationTargetGroup);
    expect(tier.targetGroup).toBe(front.targetGroup);
    expect(tier.targetGroup.node.scope).toBe(tier.listener);
    // `Default` is left out of logical ids: the load balancer's is the pattern's own.
    expect(stack.getLogicalId(tier.loadBalancer.node.defaultChild as elbv2.CfnLoadBalancer)).toMatch(new RegExp(`^${tier.node.id}LoadBalancer[0-9A-F]{8}$`));
  });

  test('without a certificate or a web ACL, those properties are undefined and the URL is plain HTTP', () => {
    const tier: LoadBalancedWebTier = new AlbAutoScalingGroup(stack, 'DevWeb', { vpc, stage: DeploymentStage.DEV, allowInsecureHttp: true });
    expect(tier.webAcl).toBeUndefined();
    expect(tier.certificate).toBeUndefined();
    expect(tier.url).toMatch(/^http:\/\/\$\{Token\[/);
  });

  test.each(GETTERS)('reading %s before the front exists throws an error naming the tier and the property', (property) => {
    const tier = new Frontless(newStack(), 'Frontless');
    expect(() => tier[property]).toThrow(`TestStack/Frontless: ${property} was read before the load balancer front existed; `
      + `a LoadBalancedWebTier creates its front with _createFront() in its constructor, before it reads ${property} `
      + "(only the library's web tiers, AlbAutoScalingGroup and AlbFargateService, can: _createFront is internal)");
  });

  test('a subclass that reads a property in its constructor before creating the front gets that error', () => {
    expect(() => new ReadsTooEarly(newStack(), 'Early', { vpc, allowInsecureHttp: true }))
      .toThrow('TestStack/Early: url was read before the load balancer front existed');
  });

  test('targetGroup before the targets are added throws; the front takes one target group', () => {
    const tier = new Targetless(stack, 'Targetless', { vpc, stage: DeploymentStage.DEV, allowInsecureHttp: true });
    expect(tier.url).toBe(tier.createdFront.url);
    expect(() => tier.targetGroup).toThrow("TestStack/Targetless: targetGroup was read before the front's targets were added; "
      + 'a LoadBalancedWebTier adds them in its constructor, before it reads targetGroup');
    const names = { one: 'A target', all: 'The targets' };
    const targetGroup = tier.createdFront.addTargets('First', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP }, names);
    expect(tier.targetGroup).toBe(targetGroup);
    expect(() => tier.createdFront.addTargets('Second', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP }, names))
      .toThrow('TestStack/Targetless: the load balancer front has its target group already (FirstGroup); it takes one');
    expect(tier.targetGroup).toBe(targetGroup);
  });
});
