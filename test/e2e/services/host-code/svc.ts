// Imports ServiceError from the root entry, which brings the runtime's host code into the service's chunks.
import { ServiceError } from '@ltask-web/plugin-ltask';
import type { ServiceFactory } from '@ltask-web/plugin-ltask/service';

export default (() => ({ kind: () => ServiceError.name })) satisfies ServiceFactory;
