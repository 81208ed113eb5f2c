import { supportTsupConfig } from '@support-tools/build/tsup';

export default supportTsupConfig({ entry: ['src/index.ts', 'src/cli.ts'] });
