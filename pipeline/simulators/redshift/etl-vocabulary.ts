import type { SimTable, SimUser, WlmQueue } from './workload-profile.js';

/** The etl cluster's users, WLM queues and tables (ids as `stl_scan.tbl` shows them). */

export const ADMIN: SimUser = { userid: 100, name: 'admin' };
export const LOADER: SimUser = { userid: 110, name: 'etl_loader' };
export const DBT: SimUser = { userid: 111, name: 'dbt_runner' };
export const REPORTING: SimUser = { userid: 112, name: 'reporting_svc' };
export const ONCALL: SimUser = { userid: 113, name: 'ops_oncall' };

export const LOADS: WlmQueue = { serviceClass: 6, name: 'ETL loads' };
export const TRANSFORMS: WlmQueue = { serviceClass: 7, name: 'Transformations' };
export const REPORTS: WlmQueue = { serviceClass: 8, name: 'Reporting' };
export const DEFAULT_QUEUE: WlmQueue = { serviceClass: 9, name: 'Default queue' };

export const ORDERS_RAW: SimTable = { id: 204101, name: 'orders_raw', rowsPerSlice: 60_000, width: 400 };
export const CLICKSTREAM_RAW: SimTable = { id: 204107, name: 'clickstream_raw', rowsPerSlice: 250_000, width: 600, missingStats: true };
export const ORDERS: SimTable = { id: 204113, name: 'orders', rowsPerSlice: 25_000_000, width: 96, ghostFraction: 0.08 };
export const ORDER_ITEMS: SimTable = { id: 204119, name: 'order_items', rowsPerSlice: 80_000_000, width: 64, ghostFraction: 0.03 };
export const CUSTOMERS: SimTable = { id: 204125, name: 'customers', rowsPerSlice: 2_000_000, width: 160 };
export const CLICKSTREAM: SimTable = { id: 204131, name: 'clickstream', rowsPerSlice: 400_000_000, width: 140 };
export const DAILY_SALES: SimTable = { id: 204137, name: 'daily_sales', rowsPerSlice: 40_000, width: 56 };
export const CUSTOMER_LTV: SimTable = { id: 204143, name: 'customer_ltv', rowsPerSlice: 2_000_000, width: 72 };
export const CLICKSTREAM_ARCHIVE: SimTable = {
  id: 204149,
  name: 'clickstream_archive',
  rowsPerSlice: 2_000_000_000,
  width: 150,
  external: true,
};

export const IAM_ROLE = 'arn:aws:iam::123456789012:role/redshift-etl';
