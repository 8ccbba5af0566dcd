/// <reference types="@ltask-web/plugin-ltask/client" />
