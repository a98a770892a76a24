import type { Role } from '../auth/roles';
import type { TimeStandard } from './time-standard';
import type {
  ActionName,
  Channel,
  Effect,
  StepDefinition,
  TransitionDefinition,
  WorkflowDefinition,
} from './workflow.types';

/** What `decide` needs to know of a ticket. */
export interface TicketState {
  step: string;
  channel: Channel;
}

export interface Decision {
  ok: true;
  from: string;
  to: string;
  transition: TransitionDefinition;
  effects: readonly Effect[];
  /** The time standard of the step entered; `NONE` when it has none. */
  timeStandard: TimeStandard;
  terminal: boolean;
}

export interface Rejection {
  ok: false;
  /**
   * ACTION_NOT_ALLOWED: not an action of this step; ROLE_NOT_ALLOWED: the step's action, but not
   * for this role; DATA_MISMATCH: the data matches no branch; REASON_REQUIRED: a reason is needed.
   */
  code: 'ACTION_NOT_ALLOWED' | 'ROLE_NOT_ALLOWED' | 'DATA_MISMATCH' | 'REASON_REQUIRED';
  /** The actions this actor may take at this step (what a client should offer instead). */
  allowed: ActionName[];
}

export function stepOf(definition: WorkflowDefinition, stepId: string): StepDefinition {
  const step = definition.steps.find((s) => s.id === stepId);
  if (!step) throw new Error(`${definition.id} has no step ${stepId}`);
  return step;
}

export function timeStandardOf(step: StepDefinition, channel: Channel): TimeStandard {
  return step.timeStandardByChannel?.[channel] ?? step.timeStandard;
}

/** The actions `role` may take on a ticket at its current step. */
export function allowedActions(
  ticket: TicketState,
  role: Role,
  definition: WorkflowDefinition,
): ActionName[] {
  const out = new Set<ActionName>();
  for (const t of definition.transitions)
    if (t.from === ticket.step && t.roles.includes(role)) out.add(t.action);
  return [...out];
}

const matches = (when: TransitionDefinition['when'], data: Readonly<Record<string, unknown>>) =>
  when === undefined || Object.entries(when).every(([k, v]) => data[k] === v);

/**
 * The SOP as a pure function: given a ticket, an action, who acts and the definition, returns the
 * next step with its effects and time standard, or a rejection naming the allowed actions.
 */
export function decide(
  ticket: TicketState,
  action: ActionName,
  actor: { role: Role },
  definition: WorkflowDefinition,
  input: { data?: Readonly<Record<string, unknown>>; reason?: string | null } = {},
): Decision | Rejection {
  const allowed = allowedActions(ticket, actor.role, definition);
  const candidates = definition.transitions.filter(
    (t) => t.from === ticket.step && t.action === action,
  );
  if (candidates.length === 0) return { ok: false, code: 'ACTION_NOT_ALLOWED', allowed };
  const forRole = candidates.filter((t) => t.roles.includes(actor.role));
  if (forRole.length === 0) return { ok: false, code: 'ROLE_NOT_ALLOWED', allowed };
  const transition = forRole.find((t) => matches(t.when, input.data ?? {}));
  if (!transition) return { ok: false, code: 'DATA_MISMATCH', allowed };
  if (transition.requiresReason && !input.reason?.trim())
    return { ok: false, code: 'REASON_REQUIRED', allowed };
  const target = stepOf(definition, transition.to);
  return {
    ok: true,
    from: ticket.step,
    to: target.id,
    transition,
    effects: transition.effects ?? [],
    timeStandard: timeStandardOf(target, ticket.channel),
    terminal: target.terminal === true,
  };
}

/** Checks a definition's internal consistency (used at start-up and in tests). */
export function validateDefinition(definition: WorkflowDefinition): string[] {
  const problems: string[] = [];
  const ids = new Set(definition.steps.map((s) => s.id));
  if (!ids.has(definition.initialStep))
    problems.push(`initial step ${definition.initialStep} is not a step`);
  for (const t of definition.transitions) {
    if (!ids.has(t.from)) problems.push(`${t.action}: unknown from-step ${t.from}`);
    if (!ids.has(t.to)) problems.push(`${t.action}: unknown to-step ${t.to}`);
    if (t.roles.length === 0) problems.push(`${t.action} from ${t.from}: no role may take it`);
  }
  for (const s of definition.steps) {
    const leaving = definition.transitions.filter((t) => t.from === s.id);
    if (s.terminal && leaving.length > 0) problems.push(`terminal step ${s.id} has transitions`);
    if (!s.terminal && leaving.length === 0) problems.push(`step ${s.id} is a dead end`);
  }
  // Every step must be reachable from the initial step.
  const seen = new Set([definition.initialStep]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const t of definition.transitions) {
      if (seen.has(t.from) && !seen.has(t.to)) {
        seen.add(t.to);
        grew = true;
      }
    }
  }
  for (const id of ids) if (!seen.has(id)) problems.push(`step ${id} is unreachable`);
  return problems;
}
