import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { PublicLoadBalancer, PublicLoadBalancerProps } from './public-load-balancer';
import { PatternPrelude } from '../core/pattern-prelude';

/**
 * A web tier of this library: the internet-facing Application Load Balancer front (HTTPS with a
 * port-80 redirect, its security group, access logs, WAF in PROD, an optional custom domain) and
 * the targets it forwards to. AlbAutoScalingGroup (EC2 instances) and AlbFargateService (Fargate
 * tasks) are web tiers, and expose their front the same way here, so code that only needs the
 * front (its URL, load balancer, listener or target group) takes either.
 *
 * Only the library's web tiers extend it: the front is created by an internal method.
 *
 * @example
 * import { AlbFargateService, LoadBalancedWebTier, MultiAzVpc } from 'cdk-best-practice-patterns';
 *
 * declare const certificate: acm.ICertificate;
 * declare const image: ecs.ContainerImage;
 * const network = new MultiAzVpc(this, 'Network');
 * const tier: LoadBalancedWebTier = new AlbFargateService(this, 'Service', { vpc: network.vpc, certificate, image });
 * // The same front whichever tier it is: here, its URL
 * new CfnOutput(this, 'Url', { value: tier.url });
 */
export abstract class LoadBalancedWebTier extends Construct {
  /** The front, once the subclass created it. */
  private front?: PublicLoadBalancer;

  /**
   * The internet-facing load balancer.
   */
  public get loadBalancer(): elbv2.ApplicationLoadBalancer {
    return this.requireFront('loadBalancer').loadBalancer;
  }

  /**
   * The listener that forwards to the targets: HTTPS on 443, or HTTP on 80 when insecure HTTP
   * was allowed.
   */
  public get listener(): elbv2.ApplicationListener {
    return this.requireFront('listener').listener;
  }

  /**
   * The targets' target group (the instances' or the tasks'), which the listener forwards to.
   */
  public get targetGroup(): elbv2.ApplicationTargetGroup {
    const targetGroup = this.requireFront('targetGroup').targetGroup;
    if (!targetGroup) {
      throw new Error(`${this.node.path}: targetGroup was read before the front's targets were added; `
        + 'a LoadBalancedWebTier adds them in its constructor, before it reads targetGroup');
    }
    return targetGroup;
  }

  /**
   * The load balancer's security group: the allowed CIDRs on the listener ports, and nothing out
   * but to the targets.
   */
  public get loadBalancerSecurityGroup(): ec2.SecurityGroup {
    return this.requireFront('loadBalancerSecurityGroup').securityGroup;
  }

  /**
   * The bucket holding the load balancer's access logs.
   */
  public get accessLogsBucket(): s3.Bucket {
    return this.requireFront('accessLogsBucket').accessLogsBucket;
  }

  /**
   * The web ACL this pattern created, when it created one: in PROD without `webAclArn`.
   */
  public get webAcl(): wafv2.CfnWebACL | undefined {
    return this.requireFront('webAcl').webAcl;
  }

  /**
   * The certificate this pattern requested for `domainName`, when it requested one (none when
   * `certificate` was given).
   */
  public get certificate(): acm.ICertificate | undefined {
    return this.requireFront('certificate').certificate;
  }

  /**
   * The URL the tier answers on: `https://` and `domainName` or the load balancer's DNS name
   * (`http://` when insecure HTTP was allowed).
   */
  public get url(): string {
    return this.requireFront('url').url;
  }

  /**
   * Creates the front, which the getters above read; a subclass calls it once in its constructor,
   * after validating its props and before reading any of them.
   *
   * @param prelude the pattern's prelude (see PublicLoadBalancer)
   * @param allowedCidrs the resolved `allowedCidrs`, which the pattern validated
   * @internal
   */
  protected _createFront(prelude: PatternPrelude<PublicLoadBalancerProps>, allowedCidrs: string[]): PublicLoadBalancer {
    // 'Default': the front's resources keep the logical ids they had as the pattern's own.
    this.front = new PublicLoadBalancer(this, 'Default', prelude, allowedCidrs);
    return this.front;
  }

  private requireFront(property: string): PublicLoadBalancer {
    if (!this.front) {
      throw new Error(`${this.node.path}: ${property} was read before the load balancer front existed; `
        + `a LoadBalancedWebTier creates its front with _createFront() in its constructor, before it reads ${property} `
        + '(only the library\'s web tiers, AlbAutoScalingGroup and AlbFargateService, can: _createFront is internal)');
    }
    return this.front;
  }
}
