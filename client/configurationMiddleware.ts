/**
 * vscode-languageclient middleware for `workspace/configuration`: the `tensorcost` section is
 * answered with only the explicitly set values (explicitSettings.ts), so that pyproject.toml's
 * `[tool.tensorcost]` applies wherever the user set nothing in the editor. Other sections go
 * through the library's own handler unchanged.
 */
import * as vscode from 'vscode';
import { Middleware } from 'vscode-languageclient/node';
import { explicitSettings } from './explicitSettings';

export const SECTION = 'tensorcost';

export const configurationMiddleware: Middleware = {
  workspace: {
    configuration: async (params, token, next) => {
      if (!params.items.some((i) => i.section === SECTION)) return next(params, token);
      const others = params.items.filter((i) => i.section !== SECTION);
      const answered = others.length ? await next({ items: others }, token) : [];
      if (!Array.isArray(answered)) return answered;
      let j = 0;
      return params.items.map((item) => (item.section === SECTION ? explicitFor(item.scopeUri) : answered[j++]));
    },
  },
};

function explicitFor(scopeUri: string | undefined): Record<string, unknown> {
  const uri = scopeUri ? vscode.Uri.parse(scopeUri) : undefined;
  // With the document's language in the scope, `inspect` also reports `[python]`-scoped values.
  const languageId = uri ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())?.languageId : undefined;
  const scope: vscode.ConfigurationScope | undefined = uri && languageId ? { uri, languageId } : uri;
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  return explicitSettings((key) => config.inspect(key));
}
