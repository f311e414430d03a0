/** The client-side features, each in its own file; activation registers them in this order. */
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import { listenForAnalyses } from './analysed';
import { registerBenchmark } from './benchmark';
import { registerRooflineView } from './roofline';
import { registerStatusBar } from './statusBar';

export function registerClientFeatures(context: vscode.ExtensionContext, client: LanguageClient): void {
  listenForAnalyses(context, client);
  registerStatusBar(context);
  registerRooflineView(context, client);
  registerBenchmark(context, client);
}
