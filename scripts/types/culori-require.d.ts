// culori's bundled CommonJS build has the same API as its main entry, which @types/culori describes.
declare module "culori/require" {
  import * as culori from "culori";
  export default culori;
}
