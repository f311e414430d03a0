/** The client-side features, each in its own file; activation registers them in this order. */
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import { registerStatusBar } from './statusBar';

export function registerClientFeatures(context: vscode.ExtensionContext, client: LanguageClient): void {
  registerStatusBar(context, client);
}
