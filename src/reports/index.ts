/**
 * Reports: results as tables (danfojs DataFrames and CSV), the checked claims
 * of the seed study, and self-contained HTML reports with Plotly charts.
 */
export * from './format';
export * from './tables';
export * from './analysis';
export * from './claims';
export * from './charts';
export * from './html';
export * from './methods-note';
export * from './provenance';
export * from './reproducibility';
export * from './pages';
export * from './build';
export * from './render-check';
export * from './readme';
export * from './mechanism';
