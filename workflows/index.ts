export { webinarWorkflow } from './webinar';
