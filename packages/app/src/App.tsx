import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import { navModule } from './modules/nav';
import { homeModule } from './modules/home';
import { signInModule } from './modules/signIn';
import { entityPageModule } from './modules/entityPage';
import { orgHealthModule } from './modules/orgHealth';
import { catalogClientModule } from './modules/catalogClient';

export default createApp({
  features: [
    catalogPlugin,
    catalogClientModule,
    navModule,
    homeModule,
    signInModule,
    entityPageModule,
    orgHealthModule,
  ],
});
