from flask import Blueprint

bp = Blueprint("statements", __name__)
