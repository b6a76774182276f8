import type { SimTable, SimUser, WlmQueue } from './workload-profile.js';

/** The analytics cluster's users, WLM queues, tables and the values its queries filter on. */

export const ADMIN: SimUser = { userid: 100, name: 'admin' };
export const LOOKER: SimUser = { userid: 101, name: 'looker_svc' };
export const ANA: SimUser = { userid: 102, name: 'ana_silva' };
export const BEN: SimUser = { userid: 103, name: 'ben_okafor' };
export const DANA: SimUser = { userid: 104, name: 'dana_ml' };

export const DASHBOARDS: WlmQueue = { serviceClass: 6, name: 'Dashboards' };
export const ADHOC: WlmQueue = { serviceClass: 7, name: 'Ad hoc' };
export const DEFAULT_QUEUE: WlmQueue = { serviceClass: 8, name: 'Default queue' };

export const SALES: SimTable = { id: 108251, name: 'sales', rowsPerSlice: 12_000_000, width: 48, ghostFraction: 0.02 };
export const WEB_EVENTS: SimTable = {
  id: 108263,
  name: 'web_events',
  rowsPerSlice: 30_000_000,
  width: 120,
  missingStats: true,
  ghostFraction: 0.01,
};
export const CUSTOMERS: SimTable = { id: 108270, name: 'customers', rowsPerSlice: 500_000, width: 180, ghostFraction: 0.35 };
export const PRODUCTS: SimTable = { id: 108277, name: 'products', rowsPerSlice: 12_500, width: 96 };
export const REGIONS: SimTable = { id: 108281, name: 'regions', rowsPerSlice: 12, width: 24 };
export const DAILY_REVENUE: SimTable = { id: 108290, name: 'daily_revenue', rowsPerSlice: 50_000, width: 40 };
export const SESSIONS: SimTable = { id: 108297, name: 'sessions', rowsPerSlice: 7_500_000, width: 64 };

export const REGION_NAMES = ['EMEA', 'NA', 'LATAM', 'APAC', 'ANZ'];
export const SEGMENTS = ['enterprise', 'smb', 'consumer', 'partner'];
export const CHANNELS = ['organic', 'paid_search', 'email', 'social', 'referral'];

/** Where analysts upload CSV files for a quick look: loaded by COPY, bad lines skipped (MAXERROR). */
export const UPLOADS: SimTable = { id: 108310, name: 'uploads', rowsPerSlice: 20_000, width: 140 };
