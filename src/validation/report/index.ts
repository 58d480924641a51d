/** Renderings of an AdES validation report: HTML for people, text for terminals (JSON is the report itself). */
export { renderReportHtml } from './html.js';
export { renderReportText } from './text.js';
