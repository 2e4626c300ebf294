// The starter keeps its names in code; capsuled reads plain string
// constants only.
export const EXAMPLE_PATH = "blog-starter";
export const BLOG_NAME = "Notes from Three Cities";
export const HOME_OG_IMAGE_URL = "/assets/blog/hello-world/cover.png";
