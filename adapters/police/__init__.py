"""The police adapter: 公安机关 and detention centres (看守所)."""
