/**
 * Server-side commands (`workspace/executeCommand`). `sageshield.fixAll`: the preferred fix of every finding of a
 * document, sent to the client with `workspace/applyEdit` as a versioned edit. The client's own commands
 * (`CLIENT_COMMANDS`) are never declared here: a server command ID that a client also registers collides.
 */
import type { ApplyWorkspaceEditResult, ExecuteCommandParams, WorkspaceEdit } from 'vscode-languageserver/node';
import { SERVER_FIX_ALL_COMMAND, type FixAllCommandArgs, type FixAllCommandResult } from '../shared/protocol';
import type { CodeActionService } from './code-actions';

/** The commands `executeCommandProvider` declares. */
export const SERVER_COMMANDS: string[] = [SERVER_FIX_ALL_COMMAND];

export interface CommandDeps {
  codeActions: CodeActionService;
  /** `workspace/applyEdit`; undefined when the client cannot apply edits. */
  applyEdit?: (label: string, edit: WorkspaceEdit) => Promise<ApplyWorkspaceEditResult>;
}

/** Runs a server command; unknown commands throw (the client gets an error response). */
export async function executeCommand(params: ExecuteCommandParams, deps: CommandDeps): Promise<FixAllCommandResult> {
  if (params.command !== SERVER_FIX_ALL_COMMAND) throw new Error(`unknown command ${params.command}`);
  const args = parseArgs(params.arguments?.[0]);
  if (!args) throw new Error(`${SERVER_FIX_ALL_COMMAND}: expected one argument {uri: string, version?: number}`);
  if (!deps.applyEdit) return { applied: false, fixes: 0, reason: 'unsupported' };
  const r = deps.codeActions.fixAllEdit(args.uri, args.version);
  if (!r.edit) return { applied: false, fixes: 0, reason: r.reason };
  const answer = await deps.applyEdit('SageShield: fix all', r.edit);
  return answer.applied ? { applied: true, fixes: r.fixes } : { applied: false, fixes: 0, reason: 'rejected' };
}

function parseArgs(a: unknown): FixAllCommandArgs | undefined {
  if (!a || typeof a !== 'object') return undefined;
  const { uri, version } = a as Record<string, unknown>;
  if (typeof uri !== 'string') return undefined;
  if (version !== undefined && version !== null && typeof version !== 'number') return undefined;
  return typeof version === 'number' ? { uri, version } : { uri };
}
