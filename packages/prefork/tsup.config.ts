import { supportTsupConfig } from '@support-tools/build/tsup';

export default supportTsupConfig();
