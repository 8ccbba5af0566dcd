/** The generic carrier worker: imports the native module the host names in `init`. */
import { startCarrier } from '../carrier/carrier.ts';

startCarrier();
