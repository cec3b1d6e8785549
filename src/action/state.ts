/**
 * What the post step needs from the main step, saved before the first side effect.
 * Never a secret: the post step reads the inputs again for those.
 */
export interface MainState {
  /** Set once the journal exists (before the first change). */
  hashfile?: string;
  artifactName?: string;
  /** The final journal was uploaded. */
  uploadedFinal?: boolean;
  /** The main step ended on its own (success or a handled failure). */
  clean?: boolean;
}

export interface StateStore {
  save(name: string, value: string): void;
  get(name: string): string;
}

export function saveState(store: StateStore, patch: MainState): void {
  for (const [k, v] of Object.entries(patch)) store.save(k, typeof v === 'string' ? v : JSON.stringify(v));
}

export function loadState(store: StateStore): MainState {
  const bool = (v: string) => v === 'true';
  return {
    hashfile: store.get('hashfile') || undefined,
    artifactName: store.get('artifactName') || undefined,
    uploadedFinal: bool(store.get('uploadedFinal')),
    clean: bool(store.get('clean')),
  };
}
