/** Every LSP feature the server offers; adding one is a file and a line here. */
import { Feature } from '../context';
import { codeActionsFeature } from './codeActions';
import { codeLensFeature } from './codeLens';
import { configFilesFeature } from './configFiles';
import { diagnosticsFeature } from './diagnosticsFeature';
import { hoverFeature } from './hoverFeature';
import { inlayHintsFeature } from './inlayHints';
import { notebooksFeature } from './notebooks';
import { reportFeature } from './reportFeature';

export const FEATURES: Feature[] = [diagnosticsFeature, hoverFeature, inlayHintsFeature, codeLensFeature, reportFeature, codeActionsFeature, notebooksFeature, configFilesFeature];
