/**
 * The server's `tensorcost/analysed` notification as a VS Code event. A JSON-RPC connection keeps
 * one handler per notification method, so this is the single subscription; the status bar, the
 * roofline view and anything else that wants to know "this file was re-analysed" listen here.
 */
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import { AnalysedNotification, AnalysedParams } from '../server/protocol';

const emitter = new vscode.EventEmitter<AnalysedParams>();
export const onDidAnalyse: vscode.Event<AnalysedParams> = emitter.event;

export function listenForAnalyses(context: vscode.ExtensionContext, client: LanguageClient): void {
  context.subscriptions.push(emitter, client.onNotification(AnalysedNotification, (p: AnalysedParams) => emitter.fire(p)));
}
