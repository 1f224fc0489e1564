import { eventBusContract } from './contract.js';
import { embeddedHarness } from './harness.js';

eventBusContract(embeddedHarness);
