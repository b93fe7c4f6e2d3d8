/**
 * The recipes' typed emitter: the one shared {@link Emitter} (copy-on-write listener lists; a
 * listener that throws anything or returns a rejected promise never disturbs the caller).
 */
import { Emitter } from '@breakwater/redis-adapter';

/** Removes the listener it was returned for; calling it twice is harmless. */
export type Unsubscribe = () => void;

/** Typed listener sets keyed by event name; see {@link Emitter}. */
export class RecipeEmitter<Events extends object> extends Emitter<Events> {}
