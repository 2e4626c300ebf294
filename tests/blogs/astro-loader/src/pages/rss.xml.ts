import rss from "@astrojs/rss";
import { getCollection } from "astro:content";

export async function GET(context: { site: URL }) {
  const posts = await getCollection("posts");
  return rss({
    title: "Garden Ledger",
    description: "What grew and what froze.",
    site: context.site,
    items: posts.map((post) => ({
      title: post.data.title,
      link: `/${post.id}`,
    })),
  });
}
