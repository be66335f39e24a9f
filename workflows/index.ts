export { webinarWorkflow } from './webinar';
export { seriesOccurrenceWorkflow } from './series-occurrence';
