FROM scratch
HEALTHCHECK --interval=often CMD ["/app"]
