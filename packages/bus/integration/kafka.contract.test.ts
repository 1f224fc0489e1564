import { eventBusContract } from './contract.js';
import { kafkaHarness } from './harness.js';

eventBusContract(kafkaHarness);
