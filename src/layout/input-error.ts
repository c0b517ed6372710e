// layout/'s errors are the project's InputError (src/input-error.ts).
export { InputError } from '../input-error.ts';
