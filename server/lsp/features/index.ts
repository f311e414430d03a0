/** Every LSP feature the server offers; adding one is a file and a line here. */
import { Feature } from '../context';
import { diagnosticsFeature } from './diagnosticsFeature';
import { hoverFeature } from './hoverFeature';
import { reportFeature } from './reportFeature';

export const FEATURES: Feature[] = [diagnosticsFeature, hoverFeature, reportFeature];
