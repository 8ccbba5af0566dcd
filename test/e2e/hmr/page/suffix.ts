// Imported by score.ts only: saving it restarts the service, not the page.
export const suffix = (): string => ' s1';
