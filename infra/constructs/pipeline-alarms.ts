import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LAKE_COMPACT_SERVICE } from './lake-compact.js';
import { METRICS_NAMESPACE, STL_EXPORT_SERVICE } from './stl-export.js';

export interface PipelineAlarmsProps {
  readonly exportFunction: lambda.IFunction;
  /** Absent when CloudTrail ingestion is not deployed. */
  readonly ingestFunction?: lambda.IFunction;
  readonly deadLetterQueue?: sqs.IQueue;
  /** Absent when compaction is not deployed. */
  readonly compactFunction?: lambda.IFunction;
  /** Enabled clusters: each gets its lag, gap and failure alarms. */
  readonly clusters: readonly string[];
  /** Lag beyond which the export of a cluster is late. */
  readonly exportLagThreshold: Duration;
  /** Where alarms (and their recovery) are sent. Default: nowhere (console only). */
  readonly topic?: sns.ITopic;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * The alarms that say the lake is falling behind or losing data. The per-cluster ones read the
 * metrics the export emits with Powertools (namespace `opslake`, dimensions `service` and
 * `cluster`), so their dimensions must match those exactly.
 */
export class PipelineAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);
    const prefix = Stack.of(this).stackName;
    const add = (alarmId: string, alarmProps: cloudwatch.AlarmProps) => {
      const alarm = new cloudwatch.Alarm(this, alarmId, alarmProps);
      if (props.topic) {
        alarm.addAlarmAction(new actions.SnsAction(props.topic));
        alarm.addOkAction(new actions.SnsAction(props.topic));
      }
      this.alarms.push(alarm);
      return alarm;
    };

    add('ExportErrors', {
      alarmName: `${prefix}-stl-export-errors`,
      alarmDescription: 'The STL export function failed in two of the last three 5-minute periods. Its log group says why.',
      metric: props.exportFunction.metricErrors({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.ingestFunction) {
      add('IngestErrors', {
        alarmName: `${prefix}-cloudtrail-ingest-errors`,
        alarmDescription: 'The CloudTrail ingestion function failed (whole batches, not single files). Its log group says why.',
        metric: props.ingestFunction.metricErrors({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    if (props.deadLetterQueue) {
      add('DeadLetters', {
        alarmName: `${prefix}-cloudtrail-dead-letters`,
        alarmDescription:
          'CloudTrail notifications failed every delivery and wait in the dead-letter queue; fix the cause, then redrive them.',
        metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: FIVE_MINUTES,
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    if (props.compactFunction) this.addCompactionAlarms(props.compactFunction, add);

    for (const cluster of props.clusters) {
      const metric = (metricName: string, statistic: string, period: Duration) =>
        new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE,
          metricName,
          dimensionsMap: { service: STL_EXPORT_SERVICE, cluster },
          statistic,
          period,
        });
      add(`ExportLag-${cluster}`, {
        alarmName: `${prefix}-export-lag-${cluster}`,
        alarmDescription: `The newest sealed slot of ${cluster} is older than ${props.exportLagThreshold.toMinutes()} minutes, or the export stopped reporting it.`,
        metric: metric('ExportLagSeconds', cloudwatch.Stats.MAXIMUM, Duration.minutes(15)),
        threshold: props.exportLagThreshold.toSeconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // No data means no export ran for this cluster: that is lag too.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
      add(`Gaps-${cluster}`, {
        alarmName: `${prefix}-export-gaps-${cluster}`,
        alarmDescription: `Rows of ${cluster} left the STL views before they were exported; the gap is recorded in the state table (opslake status).`,
        metric: metric('GapsRecorded', cloudwatch.Stats.SUM, FIVE_MINUTES),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      add(`ExportFailures-${cluster}`, {
        alarmName: `${prefix}-export-failures-${cluster}`,
        alarmDescription: `The export of ${cluster} failed in two of the last three runs while the function itself went on.`,
        metric: metric('ExportFailures', cloudwatch.Stats.SUM, FIVE_MINUTES),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
  }

  /**
   * Compaction runs hourly: a failed partition (a bad object, named in the log) alarms at once;
   * closed partitions left uncompacted (failed, or not reached before the deadline) for three
   * runs in a row mean compaction is falling behind, and no report at all means it is not running.
   */
  private addCompactionAlarms(fn: lambda.IFunction, add: (id: string, props: cloudwatch.AlarmProps) => cloudwatch.Alarm): void {
    const prefix = Stack.of(this).stackName;
    const hour = Duration.hours(1);
    const metric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: LAKE_COMPACT_SERVICE },
        statistic,
        period: hour,
      });
    add('CompactErrors', {
      alarmName: `${prefix}-lake-compact-errors`,
      alarmDescription: 'The compaction function failed as a whole (not a single partition). Its log group says why.',
      metric: fn.metricErrors({ period: hour, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    add('CompactionFailures', {
      alarmName: `${prefix}-compaction-failures`,
      alarmDescription:
        'A partition could not be compacted; readers still see it as before. The log names the object (unreadable or of ' +
        'another schema): fix or remove it and the next run compacts the partition.',
      metric: metric('CompactionFailures', cloudwatch.Stats.SUM),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    add('PartitionsOverdue', {
      alarmName: `${prefix}-partitions-overdue`,
      alarmDescription:
        'Closed partitions stayed uncompacted for three hourly runs (failed, or left at the deadline), or compaction stopped ' +
        'reporting: late files are not becoming visible.',
      metric: metric('PartitionsOverdue', cloudwatch.Stats.MINIMUM),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }
}
