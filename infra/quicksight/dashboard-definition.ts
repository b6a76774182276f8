import type { CfnDashboard } from 'aws-cdk-lib/aws-quicksight';
import type { QueryDefinition } from '../../pipeline/query/query-definition.js';
import type { DataSetColumn } from './data-set-sql.js';

/** A data set as the dashboard uses it. */
export interface DashboardDataSet {
  readonly query: QueryDefinition;
  /** Identifier inside the definition. */
  readonly identifier: string;
  readonly dataSetArn: string;
  readonly columns: readonly DataSetColumn[];
}

/** Width of QuickSight's grid layout, in columns. */
const GRID_COLUMNS = 36;
const MAX_SUBTITLE = 500;

/**
 * The dashboard: one visual per query, the chart its header suggests (the same charts as the
 * local HTML report), in the order of the query library. Line charts put time on the x axis
 * and split lines by the series column; bar charts sort by the measure; table queries show
 * their columns as they are.
 */
export function dashboardDefinition(dataSets: readonly DashboardDataSet[]): CfnDashboard.DashboardVersionDefinitionProperty {
  const visuals = dataSets.map(visualOf);
  return {
    dataSetIdentifierDeclarations: dataSets.map((dataSet) => ({ identifier: dataSet.identifier, dataSetArn: dataSet.dataSetArn })),
    sheets: [
      {
        sheetId: 'opslake',
        name: 'opslake',
        visuals,
        layouts: [
          {
            configuration: {
              gridLayout: {
                elements: dataSets.map((dataSet, index) => ({
                  elementId: visualId(index),
                  elementType: 'VISUAL',
                  // Tables need the whole width for their text columns; charts sit two abreast.
                  columnSpan: dataSet.query.chart.type === 'table' ? GRID_COLUMNS : GRID_COLUMNS / 2,
                  rowSpan: 12,
                })),
              },
            },
          },
        ],
      },
    ],
  };
}

function visualId(index: number): string {
  return `visual-${index + 1}`;
}

function visualOf(dataSet: DashboardDataSet, index: number): CfnDashboard.VisualProperty {
  const { query } = dataSet;
  const id = visualId(index);
  const column = (columnName: string) => ({ dataSetIdentifier: dataSet.identifier, columnName });
  const title = { visibility: 'VISIBLE', formatText: { plainText: query.title } };
  const subtitle = { visibility: 'VISIBLE', formatText: { plainText: shorten(query.description) } };
  const typeOf = (name: string | undefined) => dataSet.columns.find((candidate) => candidate.name === name)?.type;
  const { x, y, series } = query.chart;

  if (query.chart.type === 'table' || !x || !y) {
    return {
      tableVisual: {
        visualId: id,
        title,
        subtitle,
        chartConfiguration: {
          fieldWells: {
            tableUnaggregatedFieldWells: {
              values: dataSet.columns.map((candidate) => ({ fieldId: `${id}.${candidate.name}`, column: column(candidate.name) })),
            },
          },
        },
      },
    };
  }

  const measure = {
    numericalMeasureField: { fieldId: `${id}.${y}`, column: column(y), aggregationFunction: { simpleNumericalAggregation: 'SUM' } },
  };
  const category =
    typeOf(x) === 'DATETIME'
      ? { dateDimensionField: { fieldId: `${id}.${x}`, column: column(x), dateGranularity: x.includes('day') ? 'DAY' : 'HOUR' } }
      : { categoricalDimensionField: { fieldId: `${id}.${x}`, column: column(x) } };
  const colors = series ? [{ categoricalDimensionField: { fieldId: `${id}.${series}`, column: column(series) } }] : [];

  if (query.chart.type === 'line') {
    return {
      lineChartVisual: {
        visualId: id,
        title,
        subtitle,
        chartConfiguration: { fieldWells: { lineChartAggregatedFieldWells: { category: [category], values: [measure], colors } } },
      },
    };
  }
  // A time axis reads left to right in time; categories are ranked by the measure, top 25.
  const overTime = typeOf(x) === 'DATETIME';
  return {
    barChartVisual: {
      visualId: id,
      title,
      subtitle,
      chartConfiguration: {
        fieldWells: { barChartAggregatedFieldWells: { category: [category], values: [measure], colors } },
        orientation: overTime ? 'VERTICAL' : 'HORIZONTAL',
        barsArrangement: query.chart.type === 'stacked-bar' ? 'STACKED' : 'CLUSTERED',
        sortConfiguration: overTime
          ? { categorySort: [{ fieldSort: { fieldId: `${id}.${x}`, direction: 'ASC' } }] }
          : {
              categorySort: [{ fieldSort: { fieldId: `${id}.${y}`, direction: 'DESC' } }],
              categoryItemsLimit: { itemsLimit: 25, otherCategories: 'EXCLUDE' },
            },
      },
    },
  };
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= MAX_SUBTITLE ? flat : `${flat.slice(0, MAX_SUBTITLE - 3)}...`;
}
