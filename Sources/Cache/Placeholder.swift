public enum CachePlaceholder {}
