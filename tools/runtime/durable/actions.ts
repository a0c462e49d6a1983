/** What each action does when the replay reaches it: the events it schedules and the completions it waits for. */
import type { Compound, Node, Replay } from './replay';
import { retryNode } from './retry';
import { EventType } from './types';
import { ActionType, inputText, UnsupportedActionError, type WireAction } from './wireActions';

export function invokeAction(r: Replay, action: WireAction, parent?: Compound): Node {
  switch (action.actionType as ActionType) {
    case ActionType.CallActivity: {
      const node = r.leaf(parent);
      const id = r.scheduleActivity(action.functionName ?? '', inputText(action.input));
      node.onEvent = (e) => r.finish(node, e.EventType === EventType.TaskFailed);
      r.waitFor(id, node);
      return node;
    }
    case ActionType.CallActivityWithRetry:
      return retryNode(r, action, parent);
    case ActionType.CreateTimer: {
      const node = r.leaf(parent);
      const id = r.createTimer(new Date(action.fireAt ?? r.now));
      if (action.isCanceled) {
        node.done = true; // a cancelled timer task completes (cancelled) at once
        return node;
      }
      node.onEvent = () => r.finish(node, false);
      r.waitFor(id, node);
      return node;
    }
    case ActionType.CallSubOrchestrator: {
      // DTF: SubOrchestrationInstanceCreated takes the next EventId; the child's result answers it.
      const node = r.leaf(parent);
      const id = r.nextEventId();
      r.emit({
        EventType: EventType.SubOrchestrationInstanceCreated,
        EventId: id,
        Name: action.functionName ?? '',
        InstanceId: action.instanceId ?? '',
        Input: inputText(action.input),
      });
      node.onEvent = (e) => r.finish(node, e.EventType === EventType.SubOrchestrationInstanceFailed);
      r.waitFor(id, node);
      return node;
    }
    case ActionType.SignalEntity: {
      r.sendEntityRequest(action.instanceId ?? '', action.operation ?? '', action.input, true);
      return { done: true, failed: false, parent };
    }
    case ActionType.CallEntity: {
      const node = r.leaf(parent);
      const requestId = r.sendEntityRequest(
        action.instanceId ?? '',
        action.operation ?? '',
        action.input,
        false,
      );
      node.onEvent = () => r.finish(node, false);
      r.waitForName(requestId, node);
      return node;
    }
    case ActionType.WaitForExternalEvent: {
      const node = r.leaf(parent);
      node.onEvent = () => r.finish(node, false);
      r.waitForName(action.externalEventName ?? '', node);
      return node;
    }
    case ActionType.ContinueAsNew: {
      r.continueAsNew = { input: inputText(action.input) };
      return { done: true, failed: false, parent };
    }
    case ActionType.WhenAll:
    case ActionType.WhenAny: {
      const any = (action.actionType as ActionType) === ActionType.WhenAny;
      const children: Node[] = [];
      const node: Compound = {
        done: false,
        failed: false,
        parent,
        childDone: () => {
          if (node.done) return;
          const doneCount = children.filter((c) => c.done).length;
          if (any ? doneCount > 0 : doneCount === children.length) {
            r.finish(
              node,
              children.some((c) => c.failed),
            );
          }
        },
      };
      for (const child of action.compoundActions ?? []) children.push(invokeAction(r, child, node));
      const doneCount = children.filter((c) => c.done).length;
      if (any ? doneCount > 0 : doneCount === children.length) node.done = true;
      return node;
    }
    default:
      throw new UnsupportedActionError(
        `The embedded runtime does not support action type ${ActionType[action.actionType] ?? action.actionType}`,
      );
  }
}
