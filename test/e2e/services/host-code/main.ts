// A service that imports the package's root entry (the page's door): the build warns.
/// <reference types="@ltask-web/plugin-ltask/client" />
import svc from './svc.ts?ltask-service';

console.log(svc.service);
