/** The core's outgoing event streams, typed by the contract. Front doors subscribe to it. */
import { EventEmitter } from 'node:events';
import type { EventName, EventPayload } from '../../src-shared/contract';

type Listener = (event: EventName, payload: unknown) => void;

export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    this.emitter.emit('any', event, payload);
  }

  /** Listen to every event; returns the unsubscribe function. */
  onAny(listener: Listener): () => void {
    this.emitter.on('any', listener);
    return () => this.emitter.off('any', listener);
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.onAny((e, p) => {
      if (e === event) listener(p as EventPayload<E>);
    });
  }
}
