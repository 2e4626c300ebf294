import { glob } from "astro/loaders";
import { defineCollection, z } from "astro:content";

// The posts live outside src/content: the glob loader's base says where.
const posts = defineCollection({
  loader: glob({ pattern: "**/*.md", base: "./content/posts" }),
  schema: z.object({
    title: z.string(),
    pubDate: z.coerce.date(),
    tags: z.array(z.string()).default([]),
    isDraft: z.boolean().default(false),
  }),
});

export const collections = { posts };
